using Aspire.Hosting.Testing;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;
using Npgsql;

namespace MasStack.EndToEndTests;

/// <summary>
/// A view assembled from several queries (a line and its installation, a count and its page) reads them on one snapshot,
/// so a change committed between two of its queries shows whole or not at all.
/// </summary>
[Collection(SuiteCollection.Name)]
public class SnapshotTests(SuiteFixture suite)
{
    [Fact]
    public async Task Every_query_on_a_snapshot_reads_the_database_as_it_was_at_the_first()
    {
        // Given a line and its installation, in two tables (a scratch pair, in the server's own database)
        var server = new NpgsqlConnectionStringBuilder(await suite.App.GetConnectionStringAsync(ResourceNames.Database(ResourceNames.Subscription)))
            { Database = "postgres" }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(server);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string lines = $"snapshot_lines_{suffix}", orders = $"snapshot_orders_{suffix}";
        await using var writer = await dataSource.OpenConnectionAsync();
        await writer.ExecuteAsync($"CREATE TABLE {lines} (id int PRIMARY KEY, reason text); CREATE TABLE {orders} (line_id int PRIMARY KEY, state text)");
        try
        {
            await writer.ExecuteAsync($"INSERT INTO {lines} VALUES (1, NULL); INSERT INTO {orders} VALUES (1, 'pending')");

            // When a view reads the line, then the installation fails for good and says why, then the view reads the installation
            string? reason, state;
            await using (var view = await dataSource.OpenSnapshotAsync())
            {
                reason = await view.ExecuteScalarAsync<string?>($"SELECT reason FROM {lines} WHERE id = 1");
                await writer.ExecuteAsync($"""
                    BEGIN;
                    UPDATE {orders} SET state = 'failed' WHERE line_id = 1;
                    UPDATE {lines} SET reason = 'Installation failed' WHERE id = 1;
                    COMMIT
                    """);
                state = await view.ExecuteScalarAsync<string>($"SELECT state FROM {orders} WHERE line_id = 1");
            }

            // Then it shows the line as it was before the failure, whole: pending, and no reason yet
            Assert.Equal((null, "pending"), (reason, state));
            // And the next view shows the failure, whole
            await using var next = await dataSource.OpenSnapshotAsync();
            Assert.Equal("failed", await next.ExecuteScalarAsync<string>($"SELECT state FROM {orders} WHERE line_id = 1"));
            Assert.Equal("Installation failed", await next.ExecuteScalarAsync<string>($"SELECT reason FROM {lines} WHERE id = 1"));
        }
        finally
        {
            await writer.ExecuteAsync($"DROP TABLE {lines}, {orders}");
        }
    }
}
