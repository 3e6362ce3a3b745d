module github.com/pacslite/pacslite

go 1.26.8

require (
	github.com/go-text/typesetting v0.3.5
	github.com/google/go-cmp v0.6.0
	github.com/gorilla/mux v1.8.1
	github.com/klauspost/compress v1.17.11
	github.com/mattn/go-sqlite3 v1.14.24
	github.com/minio/minio-go/v7 v7.0.80
	github.com/prometheus/client_golang v1.20.5
	github.com/razorpay/razorpay-go v1.3.0
	github.com/rs/zerolog v1.34.0
	github.com/suyashkumar/dicom v1.1.0
	github.com/zeebo/xxh3 v1.0.2
	golang.org/x/crypto v0.28.0
	golang.org/x/image v0.23.0
	golang.org/x/text v0.21.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dustin/go-humanize v1.0.1 // indirect
	github.com/go-ini/ini v1.67.0 // indirect
	github.com/goccy/go-json v0.10.3 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/klauspost/cpuid/v2 v2.2.8 // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.19 // indirect
	github.com/minio/md5-simd v1.1.2 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/prometheus/client_model v0.6.1 // indirect
	github.com/prometheus/common v0.55.0 // indirect
	github.com/prometheus/procfs v0.15.1 // indirect
	github.com/rs/xid v1.6.0 // indirect
	golang.org/x/exp v0.0.0-20240525044651-4c93da0ed11d // indirect
	golang.org/x/net v0.30.0 // indirect
	golang.org/x/sys v0.26.0 // indirect
	google.golang.org/protobuf v1.34.2 // indirect
)
