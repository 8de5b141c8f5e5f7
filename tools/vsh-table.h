/*
 * vsh-table.h: tables as the shell prints them, as libvirt's vsh-table:
 * " Id   Name   State" over a line of dashes, columns three spaces apart.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vsh.h"

typedef struct _vshTable vshTable;

vshTable *vshTableNew(const char *first, ...) G_GNUC_NULL_TERMINATED;
void vshTableRowAppend(vshTable *table, const char *first, ...)
    G_GNUC_NULL_TERMINATED;
void vshTablePrint(vshControl *ctl, vshTable *table);
void vshTableFree(vshTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(vshTable, vshTableFree);
