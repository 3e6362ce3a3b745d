#ifndef PACSLITE_JPEG_DCMTK_H
#define PACSLITE_JPEG_DCMTK_H

#ifdef __cplusplus
extern "C" {
#endif

// pl_jpeg_decode decodes one JPEG frame (any process) into dst: samples
// interleaved, one byte each for precision <= 8, else native-endian 16-bit
// words. convertYBR asks for YCbCr to RGB conversion. Returns 0, or -1 with
// a message in err.
int pl_jpeg_decode(unsigned char *src, unsigned int srcLen, unsigned char *dst,
                   unsigned int dstLen, int precision, int convertYBR,
                   int isSigned, char *err, int errLen);

#ifdef __cplusplus
}
#endif

#endif
