using System.Numerics;
using Npgsql;

namespace OpenGradient.Oracle.Resilience.Tests;

/// <summary>One row of the node's outbound transaction store, read straight from its database.</summary>
/// <param name="Status">The stored status code: 0 Pending, 1 Mined, 2 Reverted, 3 Replaced, 4 Dropped.</param>
internal sealed record StoredTransaction(byte[] Hash, ulong Nonce, int Status, BigInteger MaxFeePerGas, DateTime CreatedAt, IReadOnlyList<BigInteger> RequestIds)
{
    public const int Pending = 0;
    public const int Mined = 1;
    public const int Replaced = 3;

    public string HashHex => "0x" + Convert.ToHexStringLower(Hash);
}

/// <summary>Reads what the node process stored about its own transactions (the test has no access to its objects).</summary>
internal static class OutboundLedger
{
    public static async Task<IReadOnlyList<StoredTransaction>> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT t.hash, t.nonce, t.status, t.max_fee_per_gas::text, t.created_at,
                   coalesce(array_agg(r.request_id::text) FILTER (WHERE r.request_id IS NOT NULL), '{}')
            FROM oracle.outbound_transactions t
            LEFT JOIN oracle.outbound_transaction_requests r ON r.chain_id = t.chain_id AND r.tx_hash = t.hash
            GROUP BY t.hash, t.nonce, t.status, t.max_fee_per_gas, t.created_at
            ORDER BY t.nonce, t.created_at
            """, connection);
        var rows = new List<StoredTransaction>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredTransaction(
                (byte[])reader[0], (ulong)reader.GetDecimal(1), reader.GetInt16(2), BigInteger.Parse(reader.GetString(3), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetDateTime(4), ((string[])reader[5]).Select(s => BigInteger.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray()));
        }
        return rows;
    }

    /// <summary>Hangfire jobs of the node in the Processing state right now.</summary>
    public static async Task<long> ProcessingJobsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM hangfire.job WHERE statename = 'Processing'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
