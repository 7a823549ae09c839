/* SPDX-License-Identifier: MIT */
/* Call chains as Mermaid sequence diagrams (chains_writer.c delegates here). */
#ifndef ALPCSCOPE_OUTPUT_MERMAID_WRITER_H
#define ALPCSCOPE_OUTPUT_MERMAID_WRITER_H

#include <alpcscope/model.h>

#include <stdio.h>

enum alpcscope_status mermaid_chains_write(const struct alpcscope_model *m,
					   const struct alpcscope_write_options *o, FILE *out,
					   struct alpcscope_error *err);

#endif
