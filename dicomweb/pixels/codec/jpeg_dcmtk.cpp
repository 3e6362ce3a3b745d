//go:build cgo && !nocodecs

// A C entry point to DCMTK's IJG decoders (8, 12 and 16 bit, all JPEG
// processes including lossless), which only have a C++ API.

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmjpeg/djcparam.h"
#include "dcmtk/dcmjpeg/djdijg8.h"
#include "dcmtk/dcmjpeg/djdijg12.h"
#include "dcmtk/dcmjpeg/djdijg16.h"

#include <cstring>

#include "jpeg_dcmtk.h"

extern "C" int pl_jpeg_decode(unsigned char *src, unsigned int srcLen,
                              unsigned char *dst, unsigned int dstLen,
                              int precision, int convertYBR, int isSigned,
                              char *err, int errLen) {
  DJCodecParameter cp(ECC_lossyYCbCr,
                      convertYBR ? EDC_always : EDC_never,
                      EUC_default, EPC_default);
  DJDecoder *dec;
  if (precision <= 8) {
    dec = new DJDecompressIJG8Bit(cp, convertYBR ? OFTrue : OFFalse);
  } else if (precision <= 12) {
    dec = new DJDecompressIJG12Bit(cp, convertYBR ? OFTrue : OFFalse);
  } else {
    dec = new DJDecompressIJG16Bit(cp, convertYBR ? OFTrue : OFFalse);
  }
  OFCondition cond = dec->init();
  if (cond.good()) {
    cond = dec->decode(src, srcLen, dst, dstLen, isSigned ? OFTrue : OFFalse);
  }
  delete dec;
  if (cond.good()) {
    return 0;
  }
  const char *msg = cond == EJ_Suspension ? "JPEG data truncated" : cond.text();
  strncpy(err, msg ? msg : "JPEG decoding failed", errLen - 1);
  err[errLen - 1] = 0;
  return -1;
}
