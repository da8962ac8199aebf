using System.Globalization;
using System.Numerics;
using Npgsql;
using NpgsqlTypes;

namespace OpenGradient.Oracle.Storage;

/// <summary>Conversions between domain values and the column types of the <c>oracle</c> schema.</summary>
internal static class Db
{
    public const string Schema = "oracle";

    public static NpgsqlParameter U64(ulong value) => new() { Value = (decimal)value, NpgsqlDbType = NpgsqlDbType.Numeric };

    public static NpgsqlParameter U64(ulong? value) =>
        new() { Value = value is { } v ? (decimal)v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric };

    public static NpgsqlParameter Big(BigInteger value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Numeric };

    public static NpgsqlParameter Big(BigInteger? value) =>
        new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric };

    public static NpgsqlParameter Bytes(byte[]? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea };

    public static NpgsqlParameter Address(string address) => Bytes(AddressBytes(address));

    /// <summary>The 20 bytes of a 0x-prefixed address, as the bytea address columns hold them.</summary>
    public static byte[] AddressBytes(string address) => Convert.FromHexString(address.AsSpan(2));

    public static NpgsqlParameter Int(long value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint };

    public static NpgsqlParameter NullableLong(long? value) =>
        new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };

    public static NpgsqlParameter NullableInt(int? value) =>
        new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer };

    public static NpgsqlParameter Small(short value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Smallint };

    public static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Bool(bool value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Boolean };

    // Arrays for statements that take many rows at once (unnested into rows, or matched with = ANY). Numerics travel
    // as decimal text (request ids are 256-bit) and are cast in SQL.
    public static NpgsqlParameter TextArray(IEnumerable<string?> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public static NpgsqlParameter ByteaArray(IEnumerable<byte[]?> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea };

    public static NpgsqlParameter BigintArray(IEnumerable<long> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint };

    public static NpgsqlParameter IntegerArray(IEnumerable<int?> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer };

    public static NpgsqlParameter SmallintArray(IEnumerable<short> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint };

    /// <summary>Decimal text of a numeric column's value, for the text arrays above.</summary>
    public static string Decimal(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Decimal(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    public static NpgsqlParameter Time(DateTimeOffset value) =>
        new() { Value = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    public static ulong ReadU64(this NpgsqlDataReader r, int ordinal) => (ulong)r.GetDecimal(ordinal);

    public static ulong? ReadU64OrNull(this NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : (ulong)r.GetDecimal(ordinal);

    public static BigInteger ReadBig(this NpgsqlDataReader r, int ordinal) => r.GetFieldValue<BigInteger>(ordinal);

    public static BigInteger? ReadBigOrNull(this NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetFieldValue<BigInteger>(ordinal);

    public static byte[] ReadBytes(this NpgsqlDataReader r, int ordinal) => r.GetFieldValue<byte[]>(ordinal);

    public static byte[]? ReadBytesOrNull(this NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetFieldValue<byte[]>(ordinal);

    public static string ReadAddress(this NpgsqlDataReader r, int ordinal) => "0x" + Convert.ToHexStringLower(r.GetFieldValue<byte[]>(ordinal));

    public static DateTimeOffset ReadTime(this NpgsqlDataReader r, int ordinal) =>
        new(DateTime.SpecifyKind(r.GetDateTime(ordinal), DateTimeKind.Utc));

    public static string? ReadTextOrNull(this NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    public static BigInteger ParseBig(string s) => BigInteger.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    public static NpgsqlBatchCommand BatchCommand(string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    public static NpgsqlCommand Command(this NpgsqlDataSource dataSource, string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }
}
