/* vsh-table.c: tables as the shell prints them (see vsh-table.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "vsh-table.h"

struct _vshTable {
    size_t ncols;
    GPtrArray *rows;            /* of GStrv; the first is the header */
};

static GStrv
vshTableRowFromList(const char *first, va_list ap)
{
    g_autoptr(GPtrArray) cells = g_ptr_array_new();
    const char *cell;

    for (cell = first; cell; cell = va_arg(ap, const char *))
        g_ptr_array_add(cells, g_strdup(cell));
    g_ptr_array_add(cells, NULL);
    return (GStrv) g_ptr_array_free(g_steal_pointer(&cells), FALSE);
}

/**
 * vshTableNew:
 * @first: the title of the first column, followed by the others and NULL
 *
 * Returns a new table (free with vshTableFree()).
 */
vshTable *
vshTableNew(const char *first, ...)
{
    vshTable *table = g_new0(vshTable, 1);
    va_list ap;
    GStrv header;

    va_start(ap, first);
    header = vshTableRowFromList(first, ap);
    va_end(ap);
    table->ncols = g_strv_length(header);
    table->rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
    g_ptr_array_add(table->rows, header);
    return table;
}

/**
 * vshTableRowAppend:
 * @table: a table
 * @first: the first cell, followed by the others and NULL; there must be
 *         as many as the table has columns
 */
void
vshTableRowAppend(vshTable *table, const char *first, ...)
{
    va_list ap;
    GStrv row;

    va_start(ap, first);
    row = vshTableRowFromList(first, ap);
    va_end(ap);
    g_assert(g_strv_length(row) == table->ncols);
    g_ptr_array_add(table->rows, row);
}

static void
vshTablePrintRow(GString *out, GStrv row, const size_t *widths, size_t ncols)
{
    size_t i;

    g_string_append_c(out, ' ');
    for (i = 0; i < ncols; i++) {
        g_string_append(out, row[i]);
        if (i + 1 < ncols) {
            size_t pad = widths[i] - g_utf8_strlen(row[i], -1) + 3;
            while (pad--)
                g_string_append_c(out, ' ');
        }
    }
    g_string_append_c(out, '\n');
}

/**
 * vshTablePrint:
 * @ctl: the shell
 * @table: a table
 *
 * Print @table on stdout: columns left aligned, three spaces apart, the
 * header (left out with -q) over a line of dashes.
 */
void
vshTablePrint(vshControl *ctl, vshTable *table)
{
    g_autofree size_t *widths = g_new0(size_t, table->ncols);
    g_autoptr(GString) out = g_string_new(NULL);
    size_t total = 0;
    size_t i, j;

    for (i = 0; i < table->rows->len; i++) {
        GStrv row = g_ptr_array_index(table->rows, i);
        for (j = 0; j < table->ncols; j++)
            widths[j] = MAX(widths[j], (size_t) g_utf8_strlen(row[j], -1));
    }
    for (j = 0; j < table->ncols; j++)
        total += widths[j] + 3;

    if (!ctl->quiet) {
        vshTablePrintRow(out, g_ptr_array_index(table->rows, 0),
                         widths, table->ncols);
        for (i = 0; i < total; i++)
            g_string_append_c(out, '-');
        g_string_append_c(out, '\n');
    }
    for (i = 1; i < table->rows->len; i++)
        vshTablePrintRow(out, g_ptr_array_index(table->rows, i),
                         widths, table->ncols);
    fputs(out->str, stdout);
}

/**
 * vshTableFree:
 * @table: a table, or NULL
 */
void
vshTableFree(vshTable *table)
{
    if (!table)
        return;
    g_ptr_array_unref(table->rows);
    g_free(table);
}
