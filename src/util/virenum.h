/*
 * virenum.h: the names of an enum's values (in XML, on command lines), one
 * table per enum, with its ToString and FromString functions made from it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

const char *virEnumToString(const char *const *names, size_t n, int value);
int virEnumFromString(const char *const *names, size_t n, const char *str);

/*
 * Declare "const char *NAMEToString(TYPE value)", which returns the name of
 * @value or NULL for a value out of range, and "int NAMEFromString(const
 * char *str)", which returns the value named @str or -1 (nothing reported).
 */
#define VIR_ENUM_DECL(name, type) \
    const char *name##ToString(type value); \
    int name##FromString(const char *str)

/*
 * Define the functions VIR_ENUM_DECL() declares, from the names of the
 * values 0 to @last - 1 in order (the build fails unless there are @last).
 */
#define VIR_ENUM_IMPL(name, type, last, ...) \
    static const char *const name##Names[] = { __VA_ARGS__ }; \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##Names) == (last)); \
    const char *name##ToString(type value) \
    { \
        return virEnumToString(name##Names, G_N_ELEMENTS(name##Names), value); \
    } \
    int name##FromString(const char *str) \
    { \
        return virEnumFromString(name##Names, G_N_ELEMENTS(name##Names), str); \
    }
