package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// timeCol scans a time column: NULL (the zero time), INTEGER microseconds
// since the Unix epoch (SQLite) or a timestamp (PostgreSQL). The result is
// in UTC without monotonic reading.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(x).UTC()
	case time.Time:
		*c.t = x.UTC()
	default:
		return fmt.Errorf("time column holds %T", v)
	}

	return nil
}

// jsonCol scans a JSON column (text or jsonb) into dst; NULL leaves dst
// unchanged.
type jsonCol struct{ dst any }

// Scan implements sql.Scanner.
func (c jsonCol) Scan(v any) error {
	var data []byte
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		data = x
	case string:
		data = []byte(x)
	default:
		return fmt.Errorf("json column holds %T", v)
	}

	return json.Unmarshal(data, c.dst)
}

// floatCol scans a nullable REAL into a *float64 field.
type floatCol struct{ p **float64 }

// Scan implements sql.Scanner.
func (c floatCol) Scan(v any) error {
	var n sql.NullFloat64
	if err := n.Scan(v); err != nil {
		return err
	}

	*c.p = nil
	if n.Valid {
		f := n.Float64
		*c.p = &f
	}

	return nil
}

// intCol scans a nullable INTEGER into a *int field.
type intCol struct{ p **int }

// Scan implements sql.Scanner.
func (c intCol) Scan(v any) error {
	var n sql.NullInt64
	if err := n.Scan(v); err != nil {
		return err
	}

	*c.p = nil
	if n.Valid {
		i := int(n.Int64)
		*c.p = &i
	}

	return nil
}

// jsonArg encodes v as JSON text.
func jsonArg(v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}

	return string(data), nil
}

// floatArg is the argument for a *float64: NULL or the value.
func floatArg(p *float64) any {
	if p == nil {
		return nil
	}

	return *p
}

// intArg is the argument for a *int: NULL or the value.
func intArg(p *int) any {
	if p == nil {
		return nil
	}

	return int64(*p)
}
