/* SPDX-License-Identifier: MIT */
/*
 * ALPC kernel events (group 0x1A, docs/event-layouts.md#alpc): Send 33, Receive 34,
 * Wait-For-Reply 35 (MessageID), Wait-For-New-Message 36 (IsServerPort,
 * PortName), Unwait 37 (Status). Connect-Request/Success/Fail and Close-Port
 * (38-41) have no published layout and are kept as raw bytes. No field is
 * pointer-sized. Any version: documented fields are read, the tail ignored.
 */
#include "payload.h"

/*
 * PortName encoding is disputed (UTF-16 per wmicore.mof, single-byte per
 * TraceEvent). The rule (docs/event-layouts.md#port-name-encoding): UTF-16 when the payload length
 * is even, every odd payload byte from 5 on is 0x00 and the payload ends in 0x0000; otherwise
 * single-byte. The branch taken is reported so samples can settle it.
 */
static bool
port_name_is_utf16(const uint8_t *b, size_t size)
{
	size_t i;

	if (size < 6 || size % 2 != 0 || b[size - 2] != 0 || b[size - 1] != 0)
		return false;
	for (i = 5; i < size; i += 2)
		if (b[i] != 0)
			return false;
	return true;
}

bool
kernel_alpc_decode(struct payload *p, const struct alpcscope_event *ev, const char **why)
{
	struct alpcscope_decoder *dec = p->dec;
	struct alpcscope_alpc *r = &dec->out.as.alpc;

	switch (ev->opcode) {
	case ALPCSCOPE_ALPC_SEND:
	case ALPCSCOPE_ALPC_RECEIVE:
	case ALPCSCOPE_ALPC_WAIT_FOR_REPLY:
		r->message_id = payload_u32(p);
		if (payload_overrun(p)) {
			*why = "payload shorter than MessageID";
			return false;
		}
		dec->out.kind = ALPCSCOPE_DECODED_ALPC;
		field_u(dec, "MessageID", r->message_id);
		return true;
	case ALPCSCOPE_ALPC_WAIT_FOR_NEW:
		r->is_server_port = payload_u32(p);
		if (payload_overrun(p)) {
			*why = "payload shorter than IsServerPort";
			return false;
		}
		/* A bare 4-byte payload (older class without the name) is accepted: no PortName. */
		if (payload_left(p) > 0) {
			if (port_name_is_utf16(p->base, p->size)) {
				r->port_name_encoding = ALPCSCOPE_PORT_NAME_UTF16;
				r->port_name = payload_utf16z(p);
			} else {
				r->port_name_encoding = ALPCSCOPE_PORT_NAME_SINGLE_BYTE;
				r->port_name = payload_ansiz(p);
			}
			if (payload_overrun(p)) {
				*why = "PortName unterminated";
				return false;
			}
		}
		dec->out.kind = ALPCSCOPE_DECODED_ALPC;
		field_u(dec, "IsServerPort", r->is_server_port);
		field_str(dec, "PortName", r->port_name);
		if (r->port_name_encoding != ALPCSCOPE_PORT_NAME_NONE)
			field_str(dec, "PortNameEncoding",
				  r->port_name_encoding == ALPCSCOPE_PORT_NAME_UTF16
				      ? "UTF-16"
				      : "single-byte");
		return true;
	case ALPCSCOPE_ALPC_UNWAIT:
		r->status = payload_u32(p);
		if (payload_overrun(p)) {
			*why = "payload shorter than Status";
			return false;
		}
		dec->out.kind = ALPCSCOPE_DECODED_ALPC;
		field_hex(dec, "Status", r->status);
		return true;
	case ALPCSCOPE_ALPC_CONNECT_REQUEST:
	case ALPCSCOPE_ALPC_CONNECT_SUCCESS:
	case ALPCSCOPE_ALPC_CONNECT_FAIL:
	case ALPCSCOPE_ALPC_CLOSE_PORT:
		r->raw = p->base;
		r->raw_size = p->size;
		dec->out.kind = ALPCSCOPE_DECODED_ALPC;
		field_bytes(dec, "Payload", p->base, p->size);
		return true;
	default: return true;
	}
}
