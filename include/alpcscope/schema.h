/* SPDX-License-Identifier: MIT */
/*
 * Schema-driven decoding of manifest-based, classic and TraceLogging events.
 * A schema set holds event layouts from instrumentation manifests (.man XML)
 * and from TRACE_EVENT_INFO / EVENT_MAP_INFO blobs; attach it to a decoder
 * and alpcscope_decode() returns ALPCSCOPE_DECODED_SCHEMA records whose
 * fields are named and typed by the schema. Without a set, a decoder still
 * decodes TraceLogging events (their schema travels in each event) and
 * learns the EventMetadata records merged traces embed.
 */
#ifndef ALPCSCOPE_SCHEMA_H
#define ALPCSCOPE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "decode.h"
#include "event.h"
#include "status.h"

ALPCSCOPE_BEGIN_DECLS

/** Where an event layout came from. Values are stable. */
enum alpcscope_schema_source {
	ALPCSCOPE_SCHEMA_MANIFEST = 0,   /**< instrumentation manifest XML */
	ALPCSCOPE_SCHEMA_EVENT_INFO = 1, /**< TRACE_EVENT_INFO (KernelTraceControl EventMetadata) */
	ALPCSCOPE_SCHEMA_TRACELOGGING = 2 /**< TraceLogging self-describing metadata */
};

/** A collection of event layouts and value maps. Not thread-safe. */
struct alpcscope_schema_set;

/**
 * Create an empty schema set.
 *
 * @param[out] out  New set; free with alpcscope_schema_set_free().
 * @param err       Optional error details.
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_INVALID_ARG or ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status alpcscope_schema_set_new(struct alpcscope_schema_set **out,
								struct alpcscope_error *err);

/** Release @p set. Accepts NULL. A decoder it is attached to must be detached or freed first. */
ALPCSCOPE_EXPORT void alpcscope_schema_set_free(struct alpcscope_schema_set *set);

/**
 * Load the events and maps of an instrumentation manifest (.man XML).
 *
 * @param set   The set.
 * @param path  Manifest file.
 * @param err   Optional error details; the message names the file and, for
 *              XML errors, the line.
 * @return ALPCSCOPE_OK; ALPCSCOPE_E_IO (cannot read); ALPCSCOPE_E_CORRUPT
 *         (not well-formed, or an event/template the model cannot hold);
 *         ALPCSCOPE_E_NOMEM; ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_schema_set_load_manifest(struct alpcscope_schema_set *set, const char *path,
				   struct alpcscope_error *err);

/** Same as alpcscope_schema_set_load_manifest() over @p size bytes of XML in memory. */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_schema_set_load_manifest_memory(struct alpcscope_schema_set *set, const void *xml,
					  size_t size, struct alpcscope_error *err);

/**
 * Load every "*.man" file of @p dir (not recursive), in name order.
 *
 * @return ALPCSCOPE_OK or the first failure (files before it stay loaded).
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_schema_set_load_manifest_dir(struct alpcscope_schema_set *set, const char *dir,
				       struct alpcscope_error *err);

/**
 * Load the manifests built into the library: Microsoft-Windows-RPC and
 * Microsoft-Windows-WMI-Activity (the ones `alpcscope chains` uses to name
 * RPC calls and WMI operations), so their events decode by field name with
 * no file to find at run time, from a build tree or an installed prefix.
 * @return as alpcscope_schema_set_load_manifest_memory().
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_schema_set_load_builtin(struct alpcscope_schema_set *set, struct alpcscope_error *err);

/**
 * Add one TRACE_EVENT_INFO blob (the payload of a KernelTraceControl
 * EventMetadata opcode 32 event). Manifest and MOF layouts are kept;
 * TraceLogging and WPP ones are skipped (ALPCSCOPE_OK).
 *
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_CORRUPT (offsets or counts out of
 *         range), ALPCSCOPE_E_NOMEM or ALPCSCOPE_E_INVALID_ARG.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_schema_set_add_event_info(struct alpcscope_schema_set *set, const void *blob, size_t size,
				    struct alpcscope_error *err);

/**
 * Add one EventMetadata opcode 33 payload: provider GUID then an
 * EVENT_MAP_INFO blob.
 *
 * @return as alpcscope_schema_set_add_event_info().
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_schema_set_add_event_map_info(struct alpcscope_schema_set *set, const void *data,
					size_t size, struct alpcscope_error *err);

/** Number of event layouts in @p set. */
ALPCSCOPE_EXPORT size_t alpcscope_schema_set_event_count(const struct alpcscope_schema_set *set);

/**
 * Name of the event layout (@p provider, @p id, @p version) as
 * "Provider/Event" (manifest symbol or task/opcode names), or NULL when the
 * set has no such event. Borrowed; lives as long as the set.
 */
ALPCSCOPE_EXPORT const char *alpcscope_schema_set_event_name(const struct alpcscope_schema_set *set,
							     const struct alpcscope_guid *provider,
							     uint16_t id, uint8_t version);

/**
 * Decode events with layouts from @p set (borrowed; NULL detaches). Layouts
 * from the set win over metadata embedded in the trace.
 *
 * @return ALPCSCOPE_OK, ALPCSCOPE_E_INVALID_ARG (NULL @p decoder) or ALPCSCOPE_E_NOMEM.
 */
ALPCSCOPE_EXPORT enum alpcscope_status
alpcscope_decoder_set_schemas(struct alpcscope_decoder *decoder,
			      const struct alpcscope_schema_set *set, struct alpcscope_error *err);

/** Lower-case name of a schema source such as "manifest"; never NULL. */
ALPCSCOPE_EXPORT const char *alpcscope_schema_source_name(enum alpcscope_schema_source source);

ALPCSCOPE_END_DECLS

#endif
