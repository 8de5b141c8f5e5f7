/*
 * virjson.h: json-c glue (automatic cleanup).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

static inline void
virJSONValueFree(json_object *obj)
{
    if (obj)
        json_object_put(obj);
}

typedef json_object virJSONValue;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virJSONValue, virJSONValueFree);
