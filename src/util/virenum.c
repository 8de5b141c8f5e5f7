/* virenum.c: the names of an enum's values, looked up both ways. */
#include <config.h>

#include <string.h>

#include "util/virenum.h"

/**
 * virEnumToString:
 * @names: the names of the values 0 to @n - 1
 * @n: how many there are
 * @value: a value
 *
 * Returns the name of @value, or NULL if it is out of range.
 */
const char *
virEnumToString(const char *const *names, size_t n, int value)
{
    if (value < 0 || (size_t)value >= n)
        return NULL;
    return names[value];
}

/**
 * virEnumFromString:
 * @names: the names of the values 0 to @n - 1
 * @n: how many there are
 * @str: a name, may be NULL
 *
 * Returns the value named @str, or -1 if there is none (nothing is
 * reported: the caller knows what the name was for).
 */
int
virEnumFromString(const char *const *names, size_t n, const char *str)
{
    size_t i;

    if (!str)
        return -1;
    for (i = 0; i < n; i++) {
        if (strcmp(names[i], str) == 0)
            return (int)i;
    }
    return -1;
}
