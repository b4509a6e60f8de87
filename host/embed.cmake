# SPDX-License-Identifier: Apache-2.0
# cmake -DIN=file -DOUT=file.c -P embed.cmake: the file as a C array.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* Generated from ${IN} by embed.cmake: do not edit. */\n"
  "#include <stddef.h>\n"
  "extern const char uk_atr_builtin_json[];\n"
  "extern const size_t uk_atr_builtin_len;\n"
  "const char uk_atr_builtin_json[] = {\n${body}0x00 };\n"
  "const size_t uk_atr_builtin_len = ${len};\n")
