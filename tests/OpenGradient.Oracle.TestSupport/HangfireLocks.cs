using Npgsql;

namespace OpenGradient.Oracle.TestSupport;

/// <summary>Hangfire lock rows as a database restart leaves them: taken just now, by a connection that is gone.</summary>
public static class HangfireLocks
{
    /// <summary>The delayed-job scheduler's lock (scheduled retries wait for it).</summary>
    public const string SchedulePoller = "hangfire:locks:schedulepoller";

    /// <summary>The recurring-job scheduler's lock.</summary>
    public const string RecurringJobs = "hangfire:recurring-jobs:lock";

    /// <summary>Puts a freshly taken lock row for each resource in place; returns the rows written.</summary>
    public static async Task<int> OrphanAsync(string connectionString, params string[] resources)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var orphans = new NpgsqlCommand(
            "INSERT INTO hangfire.lock (resource, updatecount, acquired) SELECT r, 0, now() AT TIME ZONE 'utc' FROM unnest($1::text[]) AS r " +
            "ON CONFLICT (resource) DO UPDATE SET acquired = EXCLUDED.acquired",
            connection) { Parameters = { new NpgsqlParameter { Value = resources } } };
        return await orphans.ExecuteNonQueryAsync();
    }
}
