package index

import (
	"testing"
)

// Tags used by the search tests.
const (
	ctImage = "1.2.840.10008.5.1.4.1.1.2"
	srDoc   = "1.2.840.10008.5.1.4.1.1.88.11"
)

type studyFix struct {
	uid, name, ideo, phon, pid, date, time, acc, desc, sex, birth, ref, sid string
	series                                                                  []seriesFix
}

type seriesFix struct {
	uid, modality, desc, date, time, body, ppsDate, ppsTime string
	number                                                  *int64
	instances                                               []instFix
}

type instFix struct {
	uid, class string
	number     *int64
}

// searchFixture stores six studies. Newest first they are A, D, B, C, F
// and E (no date, so last).
func searchFixture(t *testing.T) *DB {
	t.Helper()
	studies := []studyFix{
		{uid: "A", name: "Doe^John", pid: "P1", date: "20240110", time: "101500", acc: "ACC1",
			desc: "CT Chest", sex: "M", birth: "19800101", ref: "Smith^Anna", sid: "S1",
			series: []seriesFix{
				{uid: "A1", modality: "CT", desc: "Axial", date: "20240110", time: "101600", body: "CHEST",
					ppsDate: "20240110", ppsTime: "101530", number: ip(1), instances: []instFix{
						{"A1.10", ctImage, ip(10)}, {"A1.1", ctImage, ip(1)}, {"A1.2", ctImage, ip(2)}}},
				{uid: "A2", modality: "SR", number: ip(2), instances: []instFix{{"A2.1", srDoc, ip(1)}}},
			}},
		{uid: "B", name: "Müller^Hans", pid: "P2", date: "20240105", time: "090000", acc: "ACC_2",
			desc: "MR Brain 100%", sex: "F", birth: "19751231", ref: "Who^Doctor",
			series: []seriesFix{{uid: "B1", modality: "MR", desc: "T1 [sag]", number: ip(3),
				instances: []instFix{{"B1.1", ctImage, ip(1)}}}}},
		{uid: "C", name: "MÜLLER^Grete", ideo: "ミュラー^グレーテ", phon: "myura^gurete", pid: "P3",
			date: "20231231", time: "2330", acc: "ACC%3",
			series: []seriesFix{
				{uid: "C1", modality: "CT", number: ip(1), instances: []instFix{{"C1.1", ctImage, ip(1)}}},
				{uid: "C2", modality: "PT", number: ip(2), instances: []instFix{{"C2.1", ctImage, ip(1)}}},
			}},
		{uid: "D", name: "doe^jane", pid: "P1", date: "20240110", time: "080000", acc: "ACCX2",
			desc: "CT Abdomen",
			series: []seriesFix{{uid: "D1", modality: "CT", number: ip(1),
				instances: []instFix{{"D1.1", ctImage, ip(1)}}}}},
		{uid: "E", name: "Smith^Anna", pid: "P4",
			series: []seriesFix{{uid: "E1", modality: "OT", instances: []instFix{{"E1.1", ctImage, nil}}}}},
		{uid: "F", name: "Doe^Johnny", pid: "P5", date: "20220601", time: "12",
			series: []seriesFix{{uid: "F1", modality: "CR", number: ip(1),
				instances: []instFix{{"F1.1", ctImage, ip(1)}}}}},
	}
	db := openTest(t)
	var recs []InstanceRecord
	for _, st := range studies {
		for _, se := range st.series {
			for _, in := range se.instances {
				recs = append(recs, InstanceRecord{
					PatientID: st.pid, PatientName: st.name, PatientNameIdeo: st.ideo,
					PatientNamePhon: st.phon, PatientBirthDate: st.birth, PatientSex: st.sex,
					StudyInstanceUID: st.uid, StudyDate: st.date, StudyTime: st.time,
					AccessionNumber: st.acc, StudyID: st.sid, StudyDescription: st.desc,
					ReferringPhysicianName: st.ref,
					SeriesInstanceUID:      se.uid, Modality: se.modality, SeriesNumber: se.number,
					SeriesDescription: se.desc, SeriesDate: se.date, SeriesTime: se.time,
					BodyPartExamined: se.body, PerformedProcedureStepStartDate: se.ppsDate,
					PerformedProcedureStepStartTime: se.ppsTime,
					SOPInstanceUID:                  in.uid, SOPClassUID: in.class, InstanceNumber: in.number,
					BlobKey: "blob/" + in.uid, Digest: "d" + in.uid,
					StudyAttrs:    []byte(`{"study":"` + st.uid + `"}`),
					SeriesAttrs:   []byte(`{"series":"` + se.uid + `"}`),
					InstanceAttrs: []byte(`{"sop":"` + in.uid + `"}`),
					Metadata:      []byte(`{}`),
				})
			}
		}
	}
	mustPut(t, db, recs...)
	return db
}
