/*
 * virenumtest.h: between the two halves of virenumtest.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* The sum of the _LAST names as virenumpublic.c declares them (-16). */
int virEnumTestPublicSum(void);

/* The same for the client enums (suspend, resume, close callback): -3. */
int virEnumTestPublicSumClient(void);
