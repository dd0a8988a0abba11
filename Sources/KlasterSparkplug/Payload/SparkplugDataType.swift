/// Sparkplug B metric and property data types (the `datatype` / `type`
/// field: indexes of `sparkplug_b.proto`'s comment table).
public enum SparkplugDataType: UInt32, Sendable, CaseIterable {
    case unknown = 0
    case int8 = 1, int16 = 2, int32 = 3, int64 = 4
    case uint8 = 5, uint16 = 6, uint32 = 7, uint64 = 8
    case float = 9, double = 10, boolean = 11
    case string = 12, dateTime = 13, text = 14
    case uuid = 15, dataSet = 16, bytes = 17, file = 18, template = 19
    case propertySet = 20, propertySetList = 21
    case int8Array = 22, int16Array = 23, int32Array = 24, int64Array = 25
    case uint8Array = 26, uint16Array = 27, uint32Array = 28, uint64Array = 29
    case floatArray = 30, doubleArray = 31, booleanArray = 32, stringArray = 33, dateTimeArray = 34

    /// The numeric and boolean types Klaster stores as readings.
    public var isStored: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float, .double, .boolean: true
        default: false
        }
    }

    /// The name Sparkplug gives the type (for dead-letter details).
    public var name: String {
        switch self {
        case .unknown: "Unknown"
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .uint8: "UInt8"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        case .uint64: "UInt64"
        case .float: "Float"
        case .double: "Double"
        case .boolean: "Boolean"
        case .string: "String"
        case .dateTime: "DateTime"
        case .text: "Text"
        case .uuid: "UUID"
        case .dataSet: "DataSet"
        case .bytes: "Bytes"
        case .file: "File"
        case .template: "Template"
        case .propertySet: "PropertySet"
        case .propertySetList: "PropertySetList"
        default: "\(self)"
        }
    }
}
