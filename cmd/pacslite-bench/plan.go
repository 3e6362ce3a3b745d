package main

import (
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"strconv"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

// The synthetic archive: patients with studies of series of instances,
// each instance a clone of a template with its own UIDs and attributes.

type patient struct {
	name, id, birth, sex string
}

type study struct {
	uid, date, time, accession, id, desc, referring string
	patient                                         *patient
	series                                          []*series
}

func (st *study) instances() int {
	n := 0
	for _, se := range st.series {
		n += len(se.sops)
	}
	return n
}

type series struct {
	study                                   *study
	uid, modality, desc, bodyPart, sopClass string
	time                                    string
	number                                  int
	tmpl                                    *template
	rows, cols                              int
	sops                                    []string // SOP Instance UIDs by instance number
}

// seriesKind describes the series of one modality in a study profile.
type seriesKind struct {
	modality, bodyPart string
	tmpl               func(*templates) *template
	sopClass           string // "" keeps the template's
	descs              []string
	series, inst       [2]int // ranges of series per study, instances per series
	matrix             int    // rows = cols; 0 keeps the template's
}

// profile is a kind of study and how often it occurs.
type profile struct {
	weight int
	descs  []string
	kinds  []seriesKind
}

// mix is a general hospital's archive by study count: mostly radiographs,
// with CT and MR series making up most instances (about 65 instances per
// study on average).
var mix = []profile{
	{35, []string{"XR CHEST PA AND LATERAL", "XR CHEST 1 VIEW", "XR KNEE 3 VIEWS RIGHT", "XR HAND LEFT", "XR LUMBAR SPINE"},
		[]seriesKind{{"CR", "CHEST", crT, "", []string{"PA", "LAT", "AP"}, [2]int{1, 3}, [2]int{1, 1}, 0}}},
	{15, []string{"XR PELVIS", "XR SHOULDER LEFT", "XR FOOT RIGHT"},
		[]seriesKind{{"DX", "PELVIS", crT, "1.2.840.10008.5.1.4.1.1.1.1", []string{"AP", "OBLIQUE"}, [2]int{1, 2}, [2]int{1, 2}, 0}}},
	{8, []string{"MAMMO SCREENING BILATERAL", "MAMMO DIAGNOSTIC LEFT"},
		[]seriesKind{{"MG", "BREAST", crT, "1.2.840.10008.5.1.4.1.1.1.2", []string{"L CC", "L MLO", "R CC", "R MLO"}, [2]int{4, 4}, [2]int{1, 1}, 0}}},
	{17, []string{"CT CHEST W CONTRAST", "CT HEAD WO CONTRAST", "CT ABDOMEN PELVIS W CONTRAST", "CT ANGIO CHEST"},
		[]seriesKind{{"CT", "CHEST", ctT, "", []string{"AXIAL 5MM", "AXIAL 1MM", "CORONAL MPR", "SAGITTAL MPR"}, [2]int{1, 2}, [2]int{40, 200}, 512}}},
	{20, []string{"MR BRAIN W WO CONTRAST", "MR KNEE LEFT", "MR LUMBAR SPINE WO CONTRAST"},
		[]seriesKind{{"MR", "BRAIN", mrT, "", []string{"T1 SAG", "T2 AX", "FLAIR AX", "DWI", "T1 POST AX", "SWI"}, [2]int{3, 5}, [2]int{15, 30}, 256}}},
	{5, []string{"PET CT WHOLE BODY FDG"},
		[]seriesKind{
			{"PT", "WHOLEBODY", ptT, "", []string{"PET AC", "PET NAC"}, [2]int{1, 1}, [2]int{80, 200}, 0},
			{"CT", "WHOLEBODY", ctT, "", []string{"CT AC 3MM"}, [2]int{1, 1}, [2]int{80, 200}, 512},
		}},
}

func crT(t *templates) *template { return t.cr }
func ctT(t *templates) *template { return t.ct }
func mrT(t *templates) *template { return t.mr }
func ptT(t *templates) *template { return t.pt }

// generator makes studies; the same seed gives the same archive.
type generator struct {
	rng      *rand.Rand
	t        *templates
	maxSide  int // caps image matrices (0: none)
	patients []*patient
	acc      int
	studies  int // made so far
}

func newGenerator(seed uint64, t *templates, maxSide int) *generator {
	return &generator{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), t: t, maxSide: maxSide, acc: 1000000}
}

// uid returns a fresh UID under 2.25 (a random 128-bit number).
func (g *generator) uid() string {
	n := new(big.Int).SetUint64(g.rng.Uint64())
	n.Lsh(n, 64).Or(n, new(big.Int).SetUint64(g.rng.Uint64()))
	return "2.25." + n.String()
}

var (
	syl1   = []string{"Ab", "Ber", "Cal", "Dun", "El", "Fal", "Gor", "Har", "Is", "Jan", "Kel", "Lun", "Mor", "Nor", "Ost", "Pal", "Quin", "Ros", "Sal", "Tor", "Ul", "Var", "Wes", "Yor", "Zel", "Ash", "Brig", "Cor", "Dal", "Fen"}
	syl2   = []string{"a", "e", "i", "o", "u", "ba", "den", "fi", "go", "la", "ma", "ne", "ri", "so", "ta", "vi"}
	syl3   = []string{"son", "berg", "ton", "ley", "man", "ford", "wick", "stein", "ova", "ez", "ini", "sen", "ski", "well", "ard", "er"}
	givens = []string{"James", "Mary", "Wei", "Fatima", "Olga", "Carlos", "Aiko", "Priya", "John", "Anna", "Mohammed", "Sofia", "Liam", "Noor", "Hiro", "Elena", "Kwame", "Ines", "Raj", "Lucia", "Tom", "Mei", "Omar", "Zara"}
)

func (g *generator) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *generator) between(r [2]int) int { return r[0] + g.rng.IntN(r[1]-r[0]+1) }

// date returns a YYYYMMDD date between the years given.
func (g *generator) date(from, to int) string {
	return fmt.Sprintf("%04d%02d%02d", from+g.rng.IntN(to-from+1), 1+g.rng.IntN(12), 1+g.rng.IntN(28))
}

func (g *generator) time() string {
	return fmt.Sprintf("%02d%02d%02d", 7+g.rng.IntN(13), g.rng.IntN(60), g.rng.IntN(60))
}

func (g *generator) name() string {
	return g.pick(syl1) + g.pick(syl2) + g.pick(syl3) + "^" + g.pick(givens)
}

// patient returns a new patient, or one seen before for a quarter of studies.
func (g *generator) patient() *patient {
	if len(g.patients) > 0 && g.rng.IntN(4) == 0 {
		return g.patients[g.rng.IntN(len(g.patients))]
	}
	p := &patient{name: g.name(), id: fmt.Sprintf("PL%08d", g.rng.IntN(1e8)),
		birth: g.date(1930, 2020), sex: g.pick([]string{"M", "F", "F", "M", "O"})}
	g.patients = append(g.patients, p)
	return p
}

// newStudy starts a study of the given descriptions for a patient.
func (g *generator) newStudy(desc string) *study {
	g.acc++
	g.studies++
	return &study{uid: g.uid(), date: g.date(2014, 2025), time: g.time(),
		accession: "A" + strconv.Itoa(g.acc), id: strconv.Itoa(1 + g.rng.IntN(9999)),
		desc: desc, referring: g.name(), patient: g.patient()}
}

// addSeries adds a series of n instances of kind k to st.
func (g *generator) addSeries(st *study, k seriesKind, desc string, n int) *series {
	t := k.tmpl(g.t)
	rows, cols := t.rows, t.cols
	if k.matrix > 0 {
		rows, cols = k.matrix, k.matrix
	}
	if g.maxSide > 0 && max(rows, cols) > g.maxSide {
		rows, cols = rows*g.maxSide/max(rows, cols), cols*g.maxSide/max(rows, cols)
	}
	sc := k.sopClass
	if sc == "" {
		sc = t.sopClass
	}
	se := &series{study: st, uid: g.uid(), modality: k.modality, desc: desc, bodyPart: k.bodyPart,
		sopClass: sc, time: g.time(), number: len(st.series) + 1, tmpl: t, rows: rows, cols: cols}
	se.sops = make([]string, n)
	for i := range se.sops {
		se.sops[i] = g.uid()
	}
	st.series = append(st.series, se)
	return se
}

// randomStudy draws a study from the mix.
func (g *generator) randomStudy() *study {
	total := 0
	for _, p := range mix {
		total += p.weight
	}
	w := g.rng.IntN(total)
	p := mix[0]
	for _, q := range mix {
		if w < q.weight {
			p = q
			break
		}
		w -= q.weight
	}
	st := g.newStudy(g.pick(p.descs))
	for _, k := range p.kinds {
		for i := range g.between(k.series) {
			g.addSeries(st, k, k.descs[i%len(k.descs)], g.between(k.inst))
		}
	}
	return st
}

// elems are the elements instance i of se gets in place of the template's.
func (se *series) elems(i int) []elem {
	st, p, t := se.study, se.study.patient, se.tmpl
	e := []elem{
		text(dataset.TagSOPClassUID, "UI", se.sopClass),
		text(dataset.TagSOPInstanceUID, "UI", se.sops[i]),
		text(0x00080020, "DA", st.date),
		text(0x00080021, "DA", st.date),
		text(0x00080030, "TM", st.time),
		text(0x00080031, "TM", se.time),
		text(0x00080050, "SH", st.accession),
		text(0x00080060, "CS", se.modality),
		text(0x00080090, "PN", st.referring),
		text(0x00081030, "LO", st.desc),
		text(0x0008103E, "LO", se.desc),
		text(0x00100010, "PN", p.name),
		text(0x00100020, "LO", p.id),
		text(0x00100030, "DA", p.birth),
		text(0x00100040, "CS", p.sex),
		text(0x00180015, "CS", se.bodyPart),
		text(dataset.TagStudyInstanceUID, "UI", st.uid),
		text(dataset.TagSeriesInstanceUID, "UI", se.uid),
		text(0x00200010, "SH", st.id),
		text(0x00200011, "IS", strconv.Itoa(se.number)),
		text(0x00200013, "IS", strconv.Itoa(i+1)),
	}
	if t.has[0x00080023] {
		e = append(e, text(0x00080023, "DA", st.date))
	}
	if t.has[0x00200032] {
		e = append(e, ds(0x00200032, -250, -250, float64(i)*1.25))
	}
	if t.has[0x00201041] {
		e = append(e, ds(0x00201041, float64(i)*1.25))
	}
	if se.rows != t.rows || se.cols != t.cols {
		vr := "OW"
		if t.bits <= 8 {
			vr = "OB"
		}
		e = append(e, us(0x00280010, se.rows), us(0x00280011, se.cols),
			elem{tag: dataset.TagPixelData, vr: vr, value: t.pixelsFor(se.rows, se.cols)})
	}
	return e
}

// render writes instance i of se as a Part 10 file.
func (se *series) render(w io.Writer, i int) (int64, error) {
	return se.tmpl.render(w, se.sopClass, se.sops[i], se.elems(i))
}

// fileSize is the size render writes for an instance, near enough.
func (se *series) fileSize() int64 {
	t := se.tmpl
	return int64(len(t.data) - len(t.pixels) + se.rows*se.cols*t.spp*t.bits/8)
}
