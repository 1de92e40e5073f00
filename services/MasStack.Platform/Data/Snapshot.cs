using System.Data;
using Npgsql;

namespace MasStack.Platform.Data;

public static class Snapshot
{
    /// <summary>
    /// A connection whose statements all read the database as it was at the first of them (a repeatable-read
    /// transaction, rolled back when the connection is disposed). A view assembled from several queries — a line and its
    /// installation, a count and its page — then never shows half of a change committed between two of them.
    /// </summary>
    public static async Task<NpgsqlConnection> OpenSnapshotAsync(this NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // Npgsql sends the BEGIN with the first statement: no round trip of its own.
            await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
