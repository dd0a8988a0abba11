import KlasterCore

/// A metric value as a reading's Double, by its datatype: Int8…Int32 from
/// `int_value` read as two's complement, Int64 from `long_value`, unsigned
/// types as they are, Float and Double, Boolean as 0 or 1.
enum SparkplugValueConversion {
    /// - Returns: The value, or the rejection: `unsupported_type` for a type
    ///   Klaster does not store, `wrong_type` when the value field does not fit
    ///   the datatype or is missing, `non_finite` for NaN and infinities.
    @inline(__always)
    static func double(_ value: SparkplugValueView, type: SparkplugDataType) -> Result<Double, ParseRejection> {
        switch (type, value) {
        case (.int8, .int(let v)): return .success(Double(Int8(truncatingIfNeeded: v)))
        case (.int16, .int(let v)): return .success(Double(Int16(truncatingIfNeeded: v)))
        case (.int32, .int(let v)): return .success(Double(Int32(bitPattern: v)))
        case (.int8, .long(let v)): return .success(Double(Int8(truncatingIfNeeded: v)))
        case (.int16, .long(let v)): return .success(Double(Int16(truncatingIfNeeded: v)))
        case (.int32, .long(let v)): return .success(Double(Int32(truncatingIfNeeded: v)))
        case (.int64, .long(let v)): return .success(Double(Int64(bitPattern: v)))
        case (.int64, .int(let v)): return .success(Double(Int32(bitPattern: v)))
        case (.uint8, .int(let v)), (.uint16, .int(let v)), (.uint32, .int(let v)): return .success(Double(v))
        case (.uint8, .long(let v)), (.uint16, .long(let v)), (.uint32, .long(let v)), (.uint64, .long(let v)):
            return .success(Double(v))
        case (.uint64, .int(let v)): return .success(Double(v))
        case (.float, .float(let v)):
            return v.isFinite ? .success(Double(v)) : .failure(ParseRejection(.nonFinite, "Float value \(v) is not finite"))
        case (.double, .double(let v)), (.float, .double(let v)):
            return v.isFinite ? .success(v) : .failure(ParseRejection(.nonFinite, "Double value \(v) is not finite"))
        case (.double, .float(let v)):
            return v.isFinite ? .success(Double(v)) : .failure(ParseRejection(.nonFinite, "Float value \(v) is not finite"))
        case (.boolean, .boolean(let v)): return .success(v ? 1 : 0)
        case (_, .none) where type.isStored:
            return .failure(ParseRejection(.missingValue, "\(type.name) metric has no value and is not is_null"))
        default:
            if !type.isStored { return .failure(ParseRejection(.unsupportedType, "\(type.name) metrics are not stored")) }
            return .failure(ParseRejection(.wrongType, "\(type.name) metric carries \(fieldName(value))"))
        }
    }

    static func fieldName(_ v: SparkplugValueView) -> String {
        switch v {
        case .none: "no value"
        case .int: "int_value"
        case .long: "long_value"
        case .float: "float_value"
        case .double: "double_value"
        case .boolean: "boolean_value"
        case .string: "string_value"
        case .bytes: "bytes_value"
        case .dataSet: "dataset_value"
        case .template: "template_value"
        case .extension: "extension_value"
        }
    }
}
