// Package pixels turns DICOM pixel data into images a browser shows: it
// reads the image pixel attributes of a dataset (Info), unpacks native
// frames (1 to 32 bits, signed or not, planar or interleaved, big endian
// already swapped by the caller), applies the Modality LUT (rescale or LUT
// data), the VOI LUT (a window with the LINEAR, LINEAR_EXACT or SIGMOID
// function, or LUT data, or the frame's min/max), MONOCHROME1 inversion,
// and converts colour (RGB, YBR_FULL, YBR_FULL_422, YBR_PARTIAL_*,
// PALETTE COLOR) to 8-bit RGB. Fit scales the result to a viewport.
//
// Compressed frames are decoded first by the codec sub-package; Info.Decoded
// describes what its output looks like.
package pixels
