#include "CObscuraStatus.h"

#include <string.h>

void obscura_write_message(char *error, size_t capacity, const char *message) {
    if (error == NULL || capacity == 0) return;
    size_t length = strlen(message);
    if (length > capacity - 1) length = capacity - 1;
    memcpy(error, message, length);
    error[length] = '\0';
}
