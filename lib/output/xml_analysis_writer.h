/* SPDX-License-Identifier: MIT */
/*
 * XML writers of the analysis (xml_analysis_writer.c): alpcscope_messages_write()
 * and alpcscope_chains_write() hand ALPCSCOPE_OUTPUT_XML to these.
 */
#ifndef ALPCSCOPE_OUTPUT_XML_ANALYSIS_WRITER_H
#define ALPCSCOPE_OUTPUT_XML_ANALYSIS_WRITER_H

#include <stdio.h>

#include <alpcscope/model.h>

enum alpcscope_status xml_messages_write(const struct alpcscope_model *m,
					 const struct alpcscope_write_options *o, FILE *out,
					 struct alpcscope_error *err);
enum alpcscope_status xml_chains_write(const struct alpcscope_model *m,
				       const struct alpcscope_write_options *o, FILE *out,
				       struct alpcscope_error *err);

#endif
