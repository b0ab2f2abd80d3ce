package grpcplugin

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/remotestore/remotestore/iomanager"
	pb "github.com/remotestore/remotestore/iomanager/internal/iomanagerv1"
	"github.com/remotestore/remotestore/parquet"
)

// Conversions between the wire types and iomanager's, both ways. Each pair
// round-trips (convert_test.go).

func targetToPB(t iomanager.Target) *pb.Target {
	if t.IsAsset() {
		return &pb.Target{Target: &pb.Target_AssetKey{AssetKey: &pb.AssetKey{Path: t.AssetKey}}}
	}
	return &pb.Target{Target: &pb.Target_OpOutput{OpOutput: &pb.OpOutput{
		RunId: t.Op.RunID, StepKey: t.Op.StepKey, OutputName: t.Op.OutputName, MappingKey: t.Op.MappingKey}}}
}

func targetFromPB(t *pb.Target) iomanager.Target {
	switch x := t.GetTarget().(type) {
	case *pb.Target_AssetKey:
		return iomanager.Target{AssetKey: x.AssetKey.GetPath()}
	case *pb.Target_OpOutput:
		o := x.OpOutput
		return iomanager.Target{Op: iomanager.OpOutput{RunID: o.GetRunId(), StepKey: o.GetStepKey(),
			OutputName: o.GetOutputName(), MappingKey: o.GetMappingKey()}}
	}
	return iomanager.Target{}
}

func windowToPB(w *iomanager.TimeWindow) *pb.TimeWindow {
	if w.IsZero() {
		return nil
	}
	return &pb.TimeWindow{Start: timestamppb.New(w.Start), End: timestamppb.New(w.End)}
}

func windowFromPB(w *pb.TimeWindow) *iomanager.TimeWindow {
	if w == nil || (w.Start == nil && w.End == nil) {
		return nil
	}
	return &iomanager.TimeWindow{Start: w.GetStart().AsTime(), End: w.GetEnd().AsTime()}
}

func partitionsToPB(ps []iomanager.PartitionKey) []*pb.PartitionKey {
	out := make([]*pb.PartitionKey, len(ps))
	for i, p := range ps {
		out[i] = &pb.PartitionKey{Key: p.Key, Dimensions: p.Dimensions, TimeWindow: windowToPB(p.Window)}
	}
	return out
}

func partitionsFromPB(ps []*pb.PartitionKey) []iomanager.PartitionKey {
	if len(ps) == 0 {
		return nil
	}
	out := make([]iomanager.PartitionKey, len(ps))
	for i, p := range ps {
		out[i] = iomanager.PartitionKey{Key: p.GetKey(), Dimensions: p.GetDimensions(), Window: windowFromPB(p.GetTimeWindow())}
		if len(out[i].Dimensions) == 0 {
			out[i].Dimensions = nil
		}
		if out[i].Key == "" && out[i].IsMulti() {
			out[i].Key = out[i].String()
		}
	}
	return out
}

func shapeToPB(s iomanager.Shape) pb.Shape {
	switch s {
	case iomanager.ShapePartitions:
		return pb.Shape_SHAPE_PARTITIONS
	case iomanager.ShapeBatches:
		return pb.Shape_SHAPE_BATCHES
	}
	return pb.Shape_SHAPE_TABLE
}

func shapeFromPB(s pb.Shape) iomanager.Shape {
	switch s {
	case pb.Shape_SHAPE_PARTITIONS:
		return iomanager.ShapePartitions
	case pb.Shape_SHAPE_BATCHES:
		return iomanager.ShapeBatches
	}
	return iomanager.ShapeTable
}

func scalarToPB(v any) (*pb.ScalarValue, error) {
	switch x := v.(type) {
	case string:
		return &pb.ScalarValue{Value: &pb.ScalarValue_StringValue{StringValue: x}}, nil
	case int:
		return &pb.ScalarValue{Value: &pb.ScalarValue_IntValue{IntValue: int64(x)}}, nil
	case int32:
		return &pb.ScalarValue{Value: &pb.ScalarValue_IntValue{IntValue: int64(x)}}, nil
	case int64:
		return &pb.ScalarValue{Value: &pb.ScalarValue_IntValue{IntValue: x}}, nil
	case float64:
		return &pb.ScalarValue{Value: &pb.ScalarValue_FloatValue{FloatValue: x}}, nil
	case float32:
		return &pb.ScalarValue{Value: &pb.ScalarValue_FloatValue{FloatValue: float64(x)}}, nil
	case bool:
		return &pb.ScalarValue{Value: &pb.ScalarValue_BoolValue{BoolValue: x}}, nil
	case time.Time:
		return &pb.ScalarValue{Value: &pb.ScalarValue_TimestampValue{TimestampValue: timestamppb.New(x)}}, nil
	}
	return nil, fmt.Errorf("iomanager: filter value %v (%T) has no wire form", v, v)
}

func scalarFromPB(s *pb.ScalarValue) any {
	switch x := s.GetValue().(type) {
	case *pb.ScalarValue_StringValue:
		return x.StringValue
	case *pb.ScalarValue_IntValue:
		return x.IntValue
	case *pb.ScalarValue_FloatValue:
		return x.FloatValue
	case *pb.ScalarValue_BoolValue:
		return x.BoolValue
	case *pb.ScalarValue_TimestampValue:
		return x.TimestampValue.AsTime()
	}
	return nil
}

func filtersToPB(fs []parquet.Filter) ([]*pb.Filter, error) {
	var out []*pb.Filter
	for _, f := range fs {
		pf := &pb.Filter{Column: f.Column, Op: string(f.Op)}
		if f.Op == parquet.OpIn {
			vals, ok := f.Value.([]any)
			if !ok {
				return nil, fmt.Errorf("iomanager: filter %s: \"in\" needs a []any", f)
			}
			for _, v := range vals {
				s, err := scalarToPB(v)
				if err != nil {
					return nil, err
				}
				pf.Values = append(pf.Values, s)
			}
		} else {
			s, err := scalarToPB(f.Value)
			if err != nil {
				return nil, err
			}
			pf.Value = s
		}
		out = append(out, pf)
	}
	return out, nil
}

func filtersFromPB(fs []*pb.Filter) []parquet.Filter {
	var out []parquet.Filter
	for _, f := range fs {
		pf := parquet.Filter{Column: f.GetColumn(), Op: parquet.Op(f.GetOp())}
		if pf.Op == parquet.OpIn {
			vals := make([]any, len(f.GetValues()))
			for i, v := range f.GetValues() {
				vals[i] = scalarFromPB(v)
			}
			pf.Value = vals
		} else {
			pf.Value = scalarFromPB(f.GetValue())
		}
		out = append(out, pf)
	}
	return out
}

func metadataToPB(md map[string]iomanager.MetadataValue) map[string]*pb.MetadataValue {
	out := make(map[string]*pb.MetadataValue, len(md))
	for k, v := range md {
		mv := &pb.MetadataValue{}
		switch v.Kind {
		case iomanager.MetaInt:
			mv.Value = &pb.MetadataValue_IntValue{IntValue: v.Int}
		case iomanager.MetaFloat:
			mv.Value = &pb.MetadataValue_FloatValue{FloatValue: v.Float}
		case iomanager.MetaBool:
			mv.Value = &pb.MetadataValue_BoolValue{BoolValue: v.Bool}
		case iomanager.MetaPath:
			mv.Value = &pb.MetadataValue_Path{Path: v.Text}
		case iomanager.MetaURL:
			mv.Value = &pb.MetadataValue_Url{Url: v.Text}
		case iomanager.MetaJSON:
			mv.Value = &pb.MetadataValue_Json{Json: v.Text}
		case iomanager.MetaTableSchema:
			ts := &pb.TableSchema{}
			for _, c := range v.Schema {
				ts.Columns = append(ts.Columns, &pb.TableColumn{Name: c.Name, Type: c.Type, Nullable: c.Nullable})
			}
			mv.Value = &pb.MetadataValue_TableSchema{TableSchema: ts}
		default:
			mv.Value = &pb.MetadataValue_Text{Text: v.Text}
		}
		out[k] = mv
	}
	return out
}

func metadataFromPB(md map[string]*pb.MetadataValue) map[string]iomanager.MetadataValue {
	out := make(map[string]iomanager.MetadataValue, len(md))
	for k, v := range md {
		var mv iomanager.MetadataValue
		switch x := v.GetValue().(type) {
		case *pb.MetadataValue_IntValue:
			mv = iomanager.MetadataValue{Kind: iomanager.MetaInt, Int: x.IntValue}
		case *pb.MetadataValue_FloatValue:
			mv = iomanager.MetadataValue{Kind: iomanager.MetaFloat, Float: x.FloatValue}
		case *pb.MetadataValue_BoolValue:
			mv = iomanager.MetadataValue{Kind: iomanager.MetaBool, Bool: x.BoolValue}
		case *pb.MetadataValue_Path:
			mv = iomanager.MetadataValue{Kind: iomanager.MetaPath, Text: x.Path}
		case *pb.MetadataValue_Url:
			mv = iomanager.MetadataValue{Kind: iomanager.MetaURL, Text: x.Url}
		case *pb.MetadataValue_Json:
			mv = iomanager.MetadataValue{Kind: iomanager.MetaJSON, Text: x.Json}
		case *pb.MetadataValue_TableSchema:
			mv = iomanager.MetadataValue{Kind: iomanager.MetaTableSchema}
			for _, c := range x.TableSchema.GetColumns() {
				mv.Schema = append(mv.Schema, iomanager.Column{Name: c.GetName(), Type: c.GetType(), Nullable: c.GetNullable()})
			}
		case *pb.MetadataValue_Text:
			mv = iomanager.MetadataValue{Kind: iomanager.MetaText, Text: x.Text}
		}
		out[k] = mv
	}
	return out
}

func kindToPB(k iomanager.Kind) pb.PayloadKind {
	switch k {
	case iomanager.KindTable:
		return pb.PayloadKind_PAYLOAD_KIND_TABLE
	case iomanager.KindObject:
		return pb.PayloadKind_PAYLOAD_KIND_OBJECT
	}
	return pb.PayloadKind_PAYLOAD_KIND_UNSPECIFIED
}

func kindFromPB(k pb.PayloadKind) iomanager.Kind {
	switch k {
	case pb.PayloadKind_PAYLOAD_KIND_TABLE:
		return iomanager.KindTable
	case pb.PayloadKind_PAYLOAD_KIND_OBJECT:
		return iomanager.KindObject
	}
	return 0
}

func resultToPB(r *iomanager.Result) *pb.HandleOutputResponse {
	out := &pb.HandleOutputResponse{Metadata: metadataToPB(r.Metadata()), Uri: r.URI, RowCount: r.Rows, Bytes: r.Bytes}
	for _, p := range r.Partitions {
		out.Partitions = append(out.Partitions, &pb.PartitionResult{Key: p.Key, Path: p.Path, Uri: p.URI, Rows: p.Rows, Bytes: p.Bytes})
	}
	return out
}
