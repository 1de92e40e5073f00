using System.Diagnostics;
using System.Text.Json;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;
using Npgsql;

namespace MasStack.Platform.Data;

/// <summary>
/// One database transaction per request or consumed message, opened on first use. State changes and the
/// events they cause go into the same transaction (the events as outbox rows), so either both happen or
/// neither. Handlers never commit: the endpoint filter or the inbox consumer does, and only on success —
/// a refused request changes nothing.
/// </summary>
public sealed class UnitOfWork(NpgsqlDataSource dataSource, OutboxSignal outboxSignal, AfterCommitActions afterCommitActions, PassedOverMessages passedOver)
    : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private readonly List<PendingEvent> _outbox = [];
    private readonly List<Func<Task>> _afterCommit = [];
    private (string Consumer, Guid MessageId)? _inbox;
    private (int Outbox, int AfterCommit)? _savepoint;
    private const string SavepointName = "refusable";

    public async Task<int> ExecuteAsync(string sql, object? param = null)
    {
        var (connection, transaction) = await BeginAsync();
        return await connection.ExecuteAsync(sql, param, transaction);
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null)
    {
        var (connection, transaction) = await BeginAsync();
        return await connection.QuerySingleOrDefaultAsync<T>(sql, param, transaction);
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null)
    {
        var (connection, transaction) = await BeginAsync();
        return (await connection.QueryAsync<T>(sql, param, transaction)).AsList();
    }

    /// <summary>Several statements in one round trip; their results are read in order, as Dapper's grid reader gives them.</summary>
    public async Task<SqlMapper.GridReader> QueryMultipleAsync(string sql, object? param = null)
    {
        var (connection, transaction) = await BeginAsync();
        return await connection.QueryMultipleAsync(sql, param, transaction);
    }

    /// <summary>
    /// Stores the event in the outbox of this transaction; the relay publishes it after commit. The rows are written
    /// together just before the commit, in one statement, rather than in a round trip per event.
    /// </summary>
    public Task PublishAsync<T>(T message) where T : class, IIntegrationEvent
    {
        var headers = new Dictionary<string, string>();
        if (Activity.Current is { } activity)
        {
            headers["traceparent"] = activity.Id!;
            if (activity.GetBaggageItem(Correlation.Header) is { } correlator) headers[Correlation.Header] = correlator;
        }
        _outbox.Add(new PendingEvent(Guid.CreateVersion7(), typeof(T).FullName!,
            JsonSerializer.Serialize(message, OutboxMessage.JsonOptions), JsonSerializer.Serialize(headers), message));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Publishes events this transaction caused together (a sale's lines): one alone as itself, several as the one event
    /// that carries them all, so that each subscriber takes them in one delivery.
    /// </summary>
    public Task PublishTogetherAsync<T, TAll>(IReadOnlyList<T> events, Func<IReadOnlyList<T>, TAll> together)
        where T : class, IIntegrationEvent where TAll : class, IIntegrationEvent => events.Count switch
    {
        0 => Task.CompletedTask,
        1 => PublishAsync(events[0]),
        _ => PublishAsync(together(events)),
    };

    /// <summary>
    /// Makes this transaction the one effect of consuming <paramref name="messageId"/>: its inbox row is written with the
    /// commit, in the same round trip. A message already consumed makes the commit fail on the row's key, which
    /// <see cref="InboxConsumer{T}"/> takes for a repeated delivery.
    /// </summary>
    public void RecordInbox(string consumer, Guid messageId) => _inbox = (consumer, messageId);

    /// <summary>Records that the consumer passed <paramref name="messageId"/> over: its inbox row is written later, with others, outside any transaction.</summary>
    public void RecordPassedOver(string consumer, Guid messageId) => passedOver.Record(consumer, messageId);

    /// <summary>
    /// Runs once the transaction has committed (cache invalidation, for one), never if it rolls back. A failure does
    /// not fail the commit: the action is retried in the background (<see cref="AfterCommitActions"/>), so it must be
    /// safe to repeat.
    /// </summary>
    public void AfterCommit(Func<Task> action) => _afterCommit.Add(action);

    /// <summary>
    /// Marks the point <see cref="RollbackToSavepointAsync"/> returns to: what was done before it is kept, what comes
    /// after (statements, events, actions after commit) is undone. One mark per unit of work.
    /// </summary>
    public async Task SavepointAsync()
    {
        var (_, transaction) = await BeginAsync();
        await transaction.SaveAsync(SavepointName);
        _savepoint = (_outbox.Count, _afterCommit.Count);
    }

    public async Task RollbackToSavepointAsync()
    {
        if (_savepoint is not { } mark || _transaction is null) throw new InvalidOperationException("No savepoint to roll back to.");
        await _transaction.RollbackAsync(SavepointName);
        _outbox.RemoveRange(mark.Outbox, _outbox.Count - mark.Outbox);
        _afterCommit.RemoveRange(mark.AfterCommit, _afterCommit.Count - mark.AfterCommit);
    }

    /// <summary>
    /// Commits. The cancellation token is honoured only until the commit is sent: once sent, a caller that went away
    /// (a client that disconnected) must not leave the outcome unknown to us and the actions after it undone.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is null && _outbox.Count == 0 && _inbox is null) return;
        cancellationToken.ThrowIfCancellationRequested();
        List<OutboxMessage>? committed = null;
        if (_outbox.Count > 0 || _inbox is not null)
        {
            // The inbox row, the event rows and the COMMIT go in one round trip. Should an INSERT fail (the inbox row of a
            // message consumed before, say), PostgreSQL skips the rest (an error ends the batch), and disposing the
            // transaction rolls it back; Npgsql reads the transaction's end from the server's answer, so the transaction
            // object knows it committed. The event rows are written leased to this instance's relay, which is handed them
            // below (OutboxSignal).
            var (connection, transaction) = await BeginAsync();
            var parameters = new DynamicParameters();
            var sql = "";
            if (_outbox.Count > 0)
            {
                sql += InsertOutboxSql;
                parameters.AddDynamicParams(new
                {
                    OutboxRelay.Lease,
                    Ids = _outbox.Select(e => e.MessageId).ToArray(),
                    Types = _outbox.Select(e => e.MessageType).ToArray(),
                    Bodies = _outbox.Select(e => e.Body).ToArray(),
                    Headers = _outbox.Select(e => e.Headers).ToArray(),
                });
            }
            if (_inbox is { } inbox)
            {
                sql += RecordInboxSql;
                parameters.AddDynamicParams(new { inbox.Consumer, inbox.MessageId });
            }
            var ids = (await connection.QueryAsync<(long Id, Guid MessageId)>(sql + "COMMIT", parameters, transaction))
                .ToDictionary(row => row.MessageId, row => row.Id);
            if (_outbox.Count > 0) committed = _outbox.Select(e => new OutboxMessage(ids[e.MessageId], e.MessageId, e.MessageType, e.Body, e.Headers, 0) { Event = e.Event }).ToList();
            _outbox.Clear();
        }
        else await _transaction!.CommitAsync(CancellationToken.None);
        await DisposeAsync();
        if (committed is not null) outboxSignal.Committed(committed);
        foreach (var action in _afterCommit) await afterCommitActions.RunAsync(action);
        _afterCommit.Clear();
    }

    private const string RecordInboxSql = "INSERT INTO inbox_messages (consumer, message_id) VALUES (@Consumer, @MessageId);\n";

    private const string InsertOutboxSql =
        """
        INSERT INTO outbox_messages (message_id, message_type, body, headers, next_attempt_at)
        SELECT m.*, now() + @Lease FROM unnest(@Ids, @Types, @Bodies::jsonb[], @Headers::jsonb[]) AS m
        RETURNING id, message_id;

        """;

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync(); // rolls back unless committed
        if (_connection is not null) await _connection.DisposeAsync();
        _transaction = null;
        _connection = null;
        _savepoint = null;
        _inbox = null;
        _outbox.Clear();
    }

    private async Task<(NpgsqlConnection, NpgsqlTransaction)> BeginAsync()
    {
        if (_connection is null)
        {
            _connection = await dataSource.OpenConnectionAsync();
            _transaction = await _connection.BeginTransactionAsync();
        }
        return (_connection, _transaction!);
    }

    private sealed record PendingEvent(Guid MessageId, string MessageType, string Body, string Headers, object Event);
}
