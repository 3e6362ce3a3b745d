"""Builds the pixel-data test files that DCMTK cannot write (see make.sh)."""
import os
import subprocess
import tempfile

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate, encapsulate_extended
from pydicom.uid import ExplicitVRLittleEndian

P = "../../pydicom"
S = "../../suyashkumar"
ROOT = "2.25.4711000000000000000000000000.9"


def save(ds, name, ts):
    """Writes ds as explicit VR little endian Part 10 file with transfer
    syntax ts (by hand: pydicom 2.3 refuses syntaxes it does not know)."""
    from pydicom.filebase import DicomFile
    from pydicom.filewriter import write_dataset, write_file_meta_info
    ds.file_meta.TransferSyntaxUID = ts
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    if "FileMetaInformationGroupLength" in ds.file_meta:
        del ds.file_meta.FileMetaInformationGroupLength
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds["PixelData"].is_undefined_length = ts != ExplicitVRLittleEndian
    with DicomFile(name, "wb") as fp:
        fp.is_little_endian, fp.is_implicit_VR = True, False
        fp.write(b"\0" * 128 + b"DICM")
        write_file_meta_info(fp, ds.file_meta, enforce_standard=True)
        write_dataset(fp, ds)


def frames_of(ds):
    """The compressed frames of a single-fragment-per-frame file."""
    from pydicom.encaps import generate_pixel_data_frame
    n = int(getattr(ds, "NumberOfFrames", 1))
    return list(generate_pixel_data_frame(ds.PixelData, n))


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def htj2k():
    """MR_small (16-bit signed) as lossless HTJ2K (.4.201) made by OpenJPH."""
    ds = pydicom.dcmread(f"{P}/MR_small.dcm")
    px = ds.pixel_array.astype("<i2")
    with tempfile.TemporaryDirectory() as d:
        raw, j2c = os.path.join(d, "in.yuv"), os.path.join(d, "out.j2c")
        px.tofile(raw)
        run("ojph_compress", "-i", raw, "-o", j2c, "-reversible", "true",
            "-dims", "{64,64}", "-num_comps", "1", "-signed", "true", "-bit_depth", "16", "-downsamp", "{1,1}")
        data = open(j2c, "rb").read()
    ds.PixelData = encapsulate([data])
    ds["PixelData"].VR = "OB"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = ROOT + ".1"
    save(ds, "MR_small_htj2k.dcm", "1.2.840.10008.1.2.4.201")


def j2k_rgb():
    """The RGB sample as lossless JPEG 2000 with the RCT (.4.90, YBR_RCT)."""
    ds = pydicom.dcmread(f"{P}/SC_rgb_rle.dcm")
    px = ds.pixel_array
    with tempfile.TemporaryDirectory() as d:
        ppm, j2k = os.path.join(d, "in.ppm"), os.path.join(d, "out.j2k")
        with open(ppm, "wb") as f:
            f.write(b"P6\n100 100\n255\n" + px.tobytes())
        run("opj_compress", "-i", ppm, "-o", j2k, "-mct", "1")
        data = open(j2k, "rb").read()
    ds.PixelData = encapsulate([data])
    ds.PhotometricInterpretation = "YBR_RCT"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = ROOT + ".2"
    save(ds, "SC_rgb_j2k_rct.dcm", "1.2.840.10008.1.2.4.90")


def eot():
    """The two-frame lossless JPEG CT with an Extended Offset Table."""
    ds = pydicom.dcmread("CT5_jpeg_sv1_bot.dcm")
    data, offsets, lengths = encapsulate_extended(frames_of(ds))
    ds.PixelData = data
    ds.ExtendedOffsetTable = offsets
    ds.ExtendedOffsetTableLengths = lengths
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = ROOT + ".3"
    save(ds, "CT5_jpeg_sv1_eot.dcm", ds.file_meta.TransferSyntaxUID)


def base(sop, modality="OT"):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = sop
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = sop
    ds.StudyInstanceUID = ROOT + ".100"
    ds.SeriesInstanceUID = ROOT + ".100." + sop[-1]
    ds.Modality = modality
    ds.PatientName = "Pixels^Test"
    ds.PatientID = "PIXELS"
    ds.InstanceNumber = 1
    return ds


def bits1():
    """Three 5x7 1-bit frames: 35 bits each, so frames 2 and 3 do not
    start on a byte boundary."""
    ds = base(ROOT + ".4")
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7.1"
    ds.Rows, ds.Columns, ds.NumberOfFrames = 7, 5, 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 1, 1, 0, 0
    rng = np.random.default_rng(7)
    bits = rng.integers(0, 2, size=3 * 35).astype(np.uint8)
    bits[:35] = 1  # frame 1 all ones, frames 2 and 3 random
    packed = np.packbits(bits, bitorder="little").tobytes()
    ds.PixelData = packed + b"\0" * (len(packed) % 2)
    ds["PixelData"].VR = "OB"
    save(ds, "bits1_3frames.dcm", ExplicitVRLittleEndian)


def palette():
    """A 64x64 8-bit PALETTE COLOR image: a gradient through a 256-entry
    16-bit LUT (red up, green down, blue a triangle)."""
    ds = base(ROOT + ".5")
    ds.Rows, ds.Columns = 64, 64
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "PALETTE COLOR"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    i = np.arange(256)
    for c, lut in (("Red", i * 257), ("Green", (255 - i) * 257), ("Blue", np.minimum(i, 255 - i) * 2 * 257)):
        setattr(ds, f"{c}PaletteColorLookupTableDescriptor", [256, 0, 16])
        setattr(ds, f"{c}PaletteColorLookupTableData", lut.astype("<u2").tobytes())
    y, x = np.mgrid[0:64, 0:64]
    ds.PixelData = ((x + y) * 2).astype(np.uint8).tobytes()
    ds["PixelData"].VR = "OB"
    save(ds, "palette_color.dcm", ExplicitVRLittleEndian)


def video():
    """An MPEG-4 AVC/H.264 instance (.4.102). The fragments are not a real
    video stream: tests only check that /rendered returns them unchanged."""
    ds = base(ROOT + ".6", "XC")
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.4.1"
    ds.Rows, ds.Columns, ds.NumberOfFrames = 16, 16, 2
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 3, "YBR_PARTIAL_420"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PlanarConfiguration = 0
    stream = b"\x00\x00\x00\x01" + bytes(range(256)) * 40
    ds.PixelData = encapsulate([stream[:5000], stream[5000:]], has_bot=False)
    ds["PixelData"].VR = "OB"
    save(ds, "video_h264.dcm", "1.2.840.10008.1.2.4.102")


htj2k()
j2k_rgb()
eot()
bits1()
palette()
video()
