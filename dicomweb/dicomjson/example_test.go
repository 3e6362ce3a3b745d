package dicomjson_test

import (
	"fmt"

	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// A QIDO-RS study result built from index values, and a metadata response
// made by concatenating stored encodings.
func Example() {
	var study dicomjson.Object
	study.Set(dicomjson.String(0x0020000D, "UI", "1.2.840.99"))
	study.Set(dicomjson.String(0x00100010, "PN", "Doe^Jane"))
	study.Set(dicomjson.String(0x00201208, "IS", "12"))
	study.Set(dicomjson.String(0x00081030, "LO")) // empty
	fmt.Println(string(study.AppendJSON(nil)))

	var instance dicomjson.Object
	instance.Set(dicomjson.String(0x00080018, "UI", "1.2.3"))
	stored := [][]byte{instance.AppendJSON(nil), []byte(`{}`)}
	body := []byte{'['}
	for i, obj := range stored {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, obj...)
	}
	body = append(body, ']')
	fmt.Println(string(body))
	// Output:
	// {"00081030":{"vr":"LO"},"00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^Jane"}]},"0020000D":{"vr":"UI","Value":["1.2.840.99"]},"00201208":{"vr":"IS","Value":[12]}}
	// [{"00080018":{"vr":"UI","Value":["1.2.3"]}},{}]
}
