import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PayloadKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYLOAD_KIND_UNSPECIFIED: _ClassVar[PayloadKind]
    PAYLOAD_KIND_TABLE: _ClassVar[PayloadKind]
    PAYLOAD_KIND_OBJECT: _ClassVar[PayloadKind]

class Transfer(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSFER_AUTO: _ClassVar[Transfer]
    TRANSFER_CHUNKS: _ClassVar[Transfer]
    TRANSFER_FILE: _ClassVar[Transfer]

class Shape(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHAPE_TABLE: _ClassVar[Shape]
    SHAPE_PARTITIONS: _ClassVar[Shape]
    SHAPE_BATCHES: _ClassVar[Shape]

class Encoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENCODING_ARROW_IPC: _ClassVar[Encoding]
    ENCODING_PARQUET: _ClassVar[Encoding]
PAYLOAD_KIND_UNSPECIFIED: PayloadKind
PAYLOAD_KIND_TABLE: PayloadKind
PAYLOAD_KIND_OBJECT: PayloadKind
TRANSFER_AUTO: Transfer
TRANSFER_CHUNKS: Transfer
TRANSFER_FILE: Transfer
SHAPE_TABLE: Shape
SHAPE_PARTITIONS: Shape
SHAPE_BATCHES: Shape
ENCODING_ARROW_IPC: Encoding
ENCODING_PARQUET: Encoding

class ConfigureRequest(_message.Message):
    __slots__ = ("store_url", "config_file", "store_name", "format", "load_concurrency", "probe_path", "probe_token", "client_name")
    STORE_URL_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FILE_FIELD_NUMBER: _ClassVar[int]
    STORE_NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOAD_CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    PROBE_PATH_FIELD_NUMBER: _ClassVar[int]
    PROBE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CLIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    store_url: str
    config_file: str
    store_name: str
    format: str
    load_concurrency: int
    probe_path: str
    probe_token: str
    client_name: str
    def __init__(self, store_url: _Optional[str] = ..., config_file: _Optional[str] = ..., store_name: _Optional[str] = ..., format: _Optional[str] = ..., load_concurrency: _Optional[int] = ..., probe_path: _Optional[str] = ..., probe_token: _Optional[str] = ..., client_name: _Optional[str] = ...) -> None: ...

class ConfigureResponse(_message.Message):
    __slots__ = ("session", "store_uri", "transfer_dir", "file_transfer", "formats", "plugin_version")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    STORE_URI_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_DIR_FIELD_NUMBER: _ClassVar[int]
    FILE_TRANSFER_FIELD_NUMBER: _ClassVar[int]
    FORMATS_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_VERSION_FIELD_NUMBER: _ClassVar[int]
    session: str
    store_uri: str
    transfer_dir: str
    file_transfer: bool
    formats: _containers.RepeatedScalarFieldContainer[str]
    plugin_version: str
    def __init__(self, session: _Optional[str] = ..., store_uri: _Optional[str] = ..., transfer_dir: _Optional[str] = ..., file_transfer: _Optional[bool] = ..., formats: _Optional[_Iterable[str]] = ..., plugin_version: _Optional[str] = ...) -> None: ...

class CloseSessionRequest(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: str
    def __init__(self, session: _Optional[str] = ...) -> None: ...

class CloseSessionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AssetKey(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, path: _Optional[_Iterable[str]] = ...) -> None: ...

class OpOutput(_message.Message):
    __slots__ = ("run_id", "step_key", "output_name", "mapping_key")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_KEY_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_NAME_FIELD_NUMBER: _ClassVar[int]
    MAPPING_KEY_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    step_key: str
    output_name: str
    mapping_key: str
    def __init__(self, run_id: _Optional[str] = ..., step_key: _Optional[str] = ..., output_name: _Optional[str] = ..., mapping_key: _Optional[str] = ...) -> None: ...

class TimeWindow(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    def __init__(self, start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PartitionKey(_message.Message):
    __slots__ = ("key", "dimensions", "time_window")
    class DimensionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    KEY_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    TIME_WINDOW_FIELD_NUMBER: _ClassVar[int]
    key: str
    dimensions: _containers.ScalarMap[str, str]
    time_window: TimeWindow
    def __init__(self, key: _Optional[str] = ..., dimensions: _Optional[_Mapping[str, str]] = ..., time_window: _Optional[_Union[TimeWindow, _Mapping]] = ...) -> None: ...

class Target(_message.Message):
    __slots__ = ("asset_key", "op_output")
    ASSET_KEY_FIELD_NUMBER: _ClassVar[int]
    OP_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    asset_key: AssetKey
    op_output: OpOutput
    def __init__(self, asset_key: _Optional[_Union[AssetKey, _Mapping]] = ..., op_output: _Optional[_Union[OpOutput, _Mapping]] = ...) -> None: ...

class OutputDescriptor(_message.Message):
    __slots__ = ("session", "target", "partitions", "time_window", "metadata", "kind", "format", "transfer_file", "size_hint")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    TIME_WINDOW_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FILE_FIELD_NUMBER: _ClassVar[int]
    SIZE_HINT_FIELD_NUMBER: _ClassVar[int]
    session: str
    target: Target
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionKey]
    time_window: TimeWindow
    metadata: _containers.ScalarMap[str, str]
    kind: PayloadKind
    format: str
    transfer_file: str
    size_hint: int
    def __init__(self, session: _Optional[str] = ..., target: _Optional[_Union[Target, _Mapping]] = ..., partitions: _Optional[_Iterable[_Union[PartitionKey, _Mapping]]] = ..., time_window: _Optional[_Union[TimeWindow, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., kind: _Optional[_Union[PayloadKind, str]] = ..., format: _Optional[str] = ..., transfer_file: _Optional[str] = ..., size_hint: _Optional[int] = ...) -> None: ...

class HandleOutputRequest(_message.Message):
    __slots__ = ("descriptor", "chunk")
    DESCRIPTOR_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    descriptor: OutputDescriptor
    chunk: bytes
    def __init__(self, descriptor: _Optional[_Union[OutputDescriptor, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class HandleOutputResponse(_message.Message):
    __slots__ = ("metadata", "uri", "row_count", "partitions", "bytes")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: MetadataValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[MetadataValue, _Mapping]] = ...) -> None: ...
    METADATA_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    metadata: _containers.MessageMap[str, MetadataValue]
    uri: str
    row_count: int
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionResult]
    bytes: int
    def __init__(self, metadata: _Optional[_Mapping[str, MetadataValue]] = ..., uri: _Optional[str] = ..., row_count: _Optional[int] = ..., partitions: _Optional[_Iterable[_Union[PartitionResult, _Mapping]]] = ..., bytes: _Optional[int] = ...) -> None: ...

class PartitionResult(_message.Message):
    __slots__ = ("key", "path", "uri", "rows", "bytes")
    KEY_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    key: str
    path: str
    uri: str
    rows: int
    bytes: int
    def __init__(self, key: _Optional[str] = ..., path: _Optional[str] = ..., uri: _Optional[str] = ..., rows: _Optional[int] = ..., bytes: _Optional[int] = ...) -> None: ...

class MetadataValue(_message.Message):
    __slots__ = ("int_value", "float_value", "text", "path", "url", "json", "table_schema", "bool_value")
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    FLOAT_VALUE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    JSON_FIELD_NUMBER: _ClassVar[int]
    TABLE_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    int_value: int
    float_value: float
    text: str
    path: str
    url: str
    json: str
    table_schema: TableSchema
    bool_value: bool
    def __init__(self, int_value: _Optional[int] = ..., float_value: _Optional[float] = ..., text: _Optional[str] = ..., path: _Optional[str] = ..., url: _Optional[str] = ..., json: _Optional[str] = ..., table_schema: _Optional[_Union[TableSchema, _Mapping]] = ..., bool_value: _Optional[bool] = ...) -> None: ...

class TableSchema(_message.Message):
    __slots__ = ("columns",)
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    columns: _containers.RepeatedCompositeFieldContainer[TableColumn]
    def __init__(self, columns: _Optional[_Iterable[_Union[TableColumn, _Mapping]]] = ...) -> None: ...

class TableColumn(_message.Message):
    __slots__ = ("name", "type", "nullable")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NULLABLE_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    nullable: bool
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., nullable: _Optional[bool] = ...) -> None: ...

class Filter(_message.Message):
    __slots__ = ("column", "op", "value", "values")
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    column: str
    op: str
    value: ScalarValue
    values: _containers.RepeatedCompositeFieldContainer[ScalarValue]
    def __init__(self, column: _Optional[str] = ..., op: _Optional[str] = ..., value: _Optional[_Union[ScalarValue, _Mapping]] = ..., values: _Optional[_Iterable[_Union[ScalarValue, _Mapping]]] = ...) -> None: ...

class ScalarValue(_message.Message):
    __slots__ = ("string_value", "int_value", "float_value", "bool_value", "timestamp_value")
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    FLOAT_VALUE_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUE_FIELD_NUMBER: _ClassVar[int]
    string_value: str
    int_value: int
    float_value: float
    bool_value: bool
    timestamp_value: _timestamp_pb2.Timestamp
    def __init__(self, string_value: _Optional[str] = ..., int_value: _Optional[int] = ..., float_value: _Optional[float] = ..., bool_value: _Optional[bool] = ..., timestamp_value: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LoadInputRequest(_message.Message):
    __slots__ = ("session", "target", "partitions", "time_window", "metadata", "columns", "filters", "allow_missing_partitions", "shape", "concurrency", "format", "transfer", "accept_parquet", "accept_local_paths")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    TIME_WINDOW_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_MISSING_PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_PARQUET_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_LOCAL_PATHS_FIELD_NUMBER: _ClassVar[int]
    session: str
    target: Target
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionKey]
    time_window: TimeWindow
    metadata: _containers.ScalarMap[str, str]
    columns: _containers.RepeatedScalarFieldContainer[str]
    filters: _containers.RepeatedCompositeFieldContainer[Filter]
    allow_missing_partitions: bool
    shape: Shape
    concurrency: int
    format: str
    transfer: Transfer
    accept_parquet: bool
    accept_local_paths: bool
    def __init__(self, session: _Optional[str] = ..., target: _Optional[_Union[Target, _Mapping]] = ..., partitions: _Optional[_Iterable[_Union[PartitionKey, _Mapping]]] = ..., time_window: _Optional[_Union[TimeWindow, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., columns: _Optional[_Iterable[str]] = ..., filters: _Optional[_Iterable[_Union[Filter, _Mapping]]] = ..., allow_missing_partitions: _Optional[bool] = ..., shape: _Optional[_Union[Shape, str]] = ..., concurrency: _Optional[int] = ..., format: _Optional[str] = ..., transfer: _Optional[_Union[Transfer, str]] = ..., accept_parquet: _Optional[bool] = ..., accept_local_paths: _Optional[bool] = ...) -> None: ...

class ConstColumn(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class LoadHeader(_message.Message):
    __slots__ = ("kind", "partitions", "missing", "uri")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    kind: PayloadKind
    partitions: _containers.RepeatedScalarFieldContainer[str]
    missing: _containers.RepeatedScalarFieldContainer[str]
    uri: str
    def __init__(self, kind: _Optional[_Union[PayloadKind, str]] = ..., partitions: _Optional[_Iterable[str]] = ..., missing: _Optional[_Iterable[str]] = ..., uri: _Optional[str] = ...) -> None: ...

class PartHeader(_message.Message):
    __slots__ = ("key", "dimensions", "transfer_file", "size", "encoding", "local_path", "columns", "columns_set", "constants", "select", "rows", "dictionary_columns")
    class DimensionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    KEY_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FILE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    LOCAL_PATH_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_SET_FIELD_NUMBER: _ClassVar[int]
    CONSTANTS_FIELD_NUMBER: _ClassVar[int]
    SELECT_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    DICTIONARY_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    key: str
    dimensions: _containers.ScalarMap[str, str]
    transfer_file: str
    size: int
    encoding: Encoding
    local_path: str
    columns: _containers.RepeatedScalarFieldContainer[str]
    columns_set: bool
    constants: _containers.RepeatedCompositeFieldContainer[ConstColumn]
    select: _containers.RepeatedScalarFieldContainer[str]
    rows: int
    dictionary_columns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, key: _Optional[str] = ..., dimensions: _Optional[_Mapping[str, str]] = ..., transfer_file: _Optional[str] = ..., size: _Optional[int] = ..., encoding: _Optional[_Union[Encoding, str]] = ..., local_path: _Optional[str] = ..., columns: _Optional[_Iterable[str]] = ..., columns_set: _Optional[bool] = ..., constants: _Optional[_Iterable[_Union[ConstColumn, _Mapping]]] = ..., select: _Optional[_Iterable[str]] = ..., rows: _Optional[int] = ..., dictionary_columns: _Optional[_Iterable[str]] = ...) -> None: ...

class LoadTrailer(_message.Message):
    __slots__ = ("metadata", "row_count")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: MetadataValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[MetadataValue, _Mapping]] = ...) -> None: ...
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    metadata: _containers.MessageMap[str, MetadataValue]
    row_count: int
    def __init__(self, metadata: _Optional[_Mapping[str, MetadataValue]] = ..., row_count: _Optional[int] = ...) -> None: ...

class LoadInputResponse(_message.Message):
    __slots__ = ("header", "part", "chunk", "trailer")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PART_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    TRAILER_FIELD_NUMBER: _ClassVar[int]
    header: LoadHeader
    part: PartHeader
    chunk: bytes
    trailer: LoadTrailer
    def __init__(self, header: _Optional[_Union[LoadHeader, _Mapping]] = ..., part: _Optional[_Union[PartHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ..., trailer: _Optional[_Union[LoadTrailer, _Mapping]] = ...) -> None: ...

class StatRequest(_message.Message):
    __slots__ = ("session", "target", "partitions", "metadata", "format")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    session: str
    target: Target
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionKey]
    metadata: _containers.ScalarMap[str, str]
    format: str
    def __init__(self, session: _Optional[str] = ..., target: _Optional[_Union[Target, _Mapping]] = ..., partitions: _Optional[_Iterable[_Union[PartitionKey, _Mapping]]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., format: _Optional[str] = ...) -> None: ...

class StatResponse(_message.Message):
    __slots__ = ("exists", "uri", "partitions", "size", "mod_time")
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    MOD_TIME_FIELD_NUMBER: _ClassVar[int]
    exists: bool
    uri: str
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionStat]
    size: int
    mod_time: _timestamp_pb2.Timestamp
    def __init__(self, exists: _Optional[bool] = ..., uri: _Optional[str] = ..., partitions: _Optional[_Iterable[_Union[PartitionStat, _Mapping]]] = ..., size: _Optional[int] = ..., mod_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PartitionStat(_message.Message):
    __slots__ = ("key", "exists", "uri", "size", "mod_time")
    KEY_FIELD_NUMBER: _ClassVar[int]
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    MOD_TIME_FIELD_NUMBER: _ClassVar[int]
    key: str
    exists: bool
    uri: str
    size: int
    mod_time: _timestamp_pb2.Timestamp
    def __init__(self, key: _Optional[str] = ..., exists: _Optional[bool] = ..., uri: _Optional[str] = ..., size: _Optional[int] = ..., mod_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeleteRequest(_message.Message):
    __slots__ = ("session", "target", "partitions", "metadata", "format")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    session: str
    target: Target
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionKey]
    metadata: _containers.ScalarMap[str, str]
    format: str
    def __init__(self, session: _Optional[str] = ..., target: _Optional[_Union[Target, _Mapping]] = ..., partitions: _Optional[_Iterable[_Union[PartitionKey, _Mapping]]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., format: _Optional[str] = ...) -> None: ...

class DeleteResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...

class ListPartitionsRequest(_message.Message):
    __slots__ = ("session", "asset_key", "dimensions", "metadata", "format")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SESSION_FIELD_NUMBER: _ClassVar[int]
    ASSET_KEY_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    session: str
    asset_key: AssetKey
    dimensions: _containers.RepeatedScalarFieldContainer[str]
    metadata: _containers.ScalarMap[str, str]
    format: str
    def __init__(self, session: _Optional[str] = ..., asset_key: _Optional[_Union[AssetKey, _Mapping]] = ..., dimensions: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., format: _Optional[str] = ...) -> None: ...

class ListPartitionsResponse(_message.Message):
    __slots__ = ("partitions",)
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionKey]
    def __init__(self, partitions: _Optional[_Iterable[_Union[PartitionKey, _Mapping]]] = ...) -> None: ...
