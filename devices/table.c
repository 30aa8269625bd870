// SPDX-License-Identifier: MIT
#include "table.h"

#define DEVICE_ENTRY(n) &n##_device,
const struct device_model *const device_table[] = { DEVICE_TABLE(DEVICE_ENTRY) };
#undef DEVICE_ENTRY

const int device_table_len = sizeof(device_table) / sizeof(device_table[0]);
