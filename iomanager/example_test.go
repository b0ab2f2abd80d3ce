package iomanager_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	membackend "github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/store"
)

// Store two daily partitions of an asset, then load both as one table with
// the partition column added.
func ExampleManager_LoadInput() {
	ctx := context.Background()
	b, _ := membackend.New(ctx, membackend.Config{})
	st := store.New(b)
	defer st.Close()
	m := iomanager.New(st, iomanager.Config{})

	sc := arrow.NewSchema([]arrow.Field{{Name: "amount", Type: arrow.PrimitiveTypes.Int64}}, nil)
	for i, day := range []string{"2024-01-01", "2024-01-02"} {
		bld := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		bld.Field(0).(*array.Int64Builder).AppendValues([]int64{int64(i * 10), int64(i*10 + 1)}, nil)
		rec := bld.NewRecordBatch()
		rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
		res, err := m.HandleOutput(ctx, iomanager.OutputContext{
			Target:     iomanager.Asset("sales", "daily"),
			Partitions: []iomanager.PartitionKey{iomanager.Partition(day)},
		}, iomanager.Table(rr))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(res.Path, res.Rows)
		rr.Release()
		rec.Release()
		bld.Release()
	}

	tbl, err := m.ReadTable(ctx, iomanager.InputContext{
		Target:     iomanager.Asset("sales", "daily"),
		Partitions: []iomanager.PartitionKey{iomanager.Partition("2024-01-01"), iomanager.Partition("2024-01-02")},
		Metadata:   map[string]string{iomanager.MetaPartitionExpr: "day"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tbl.Release()
	fmt.Println(tbl.Schema().Field(1).Name, tbl.NumRows())
	// Output:
	// sales/daily/2024-01-01.parquet 2
	// sales/daily/2024-01-02.parquet 2
	// day 4
}

func ExampleEscapeSegment() {
	for _, key := range []string{"2024-01-31", "eu/west", "..", "50%"} {
		s, _ := iomanager.EscapeSegment(key)
		fmt.Println(s)
	}
	// Output:
	// 2024-01-31
	// eu%2Fwest
	// %2E%2E
	// 50%25
}
