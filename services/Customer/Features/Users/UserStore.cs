using System.Text.Json;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;
using Npgsql;

namespace MasStack.Customer.Features.Users;

/// <summary>Reads users, and records every change of their data in the audit trail.</summary>
public static class UserStore
{
    private const string Columns =
        """
        id AS UserId, document_type AS DocumentType, document_number AS DocumentNumber, first_name AS FirstName, last_name AS LastName,
        email, phone, birth_date AS BirthDate, address::text AS Address, bank_account_masked AS BankAccount,
        created_at AS CreatedAt, updated_at AS UpdatedAt, version
        """;

    public static async Task<UserRow?> GetAsync(NpgsqlDataSource database, long userId)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<UserRow>($"SELECT {Columns} FROM users WHERE id = @userId", new { userId });
    }

    /// <summary>The user, locked until the transaction ends: concurrent updates queue, and the later one sees the new version.</summary>
    public static Task<UserRow?> LockAsync(UnitOfWork db, long userId) =>
        db.QuerySingleOrDefaultAsync<UserRow>($"SELECT {Columns} FROM users WHERE id = @userId FOR UPDATE", new { userId });

    public static Task RecordChangeAsync(
        UnitOfWork db, IdGenerator ids, long userId, string resource, IReadOnlyDictionary<string, FieldChange> changes, Actor actor, DateTimeOffset at) =>
        db.ExecuteAsync(
            """
            INSERT INTO user_changes (id, user_id, resource, changes, changed_by, reason, changed_at)
            VALUES (@Id, @userId, @resource, @Changes::jsonb, @ClientId, @Reason, @at)
            """,
            new { Id = ids.Next(), userId, resource, Changes = JsonSerializer.Serialize(changes, OutboxMessage.JsonOptions), actor.ClientId, actor.Reason, at });

    public static async Task<IReadOnlyList<UserChangeView>?> HistoryAsync(NpgsqlDataSource database, long userId)
    {
        await using var connection = await database.OpenSnapshotAsync();
        if (await connection.ExecuteScalarAsync<bool>("SELECT NOT EXISTS (SELECT 1 FROM users WHERE id = @userId)", new { userId })) return null;
        var rows = await connection.QueryAsync<(long Id, string Resource, string Changes, string ChangedBy, string? Reason, DateTimeOffset ChangedAt)>(
            "SELECT id, resource, changes::text, changed_by, reason, changed_at FROM user_changes WHERE user_id = @userId ORDER BY changed_at DESC, id DESC",
            new { userId });
        return rows.Select(r => new UserChangeView(
            r.Id, r.Resource, JsonSerializer.Deserialize<Dictionary<string, FieldChange>>(r.Changes, OutboxMessage.JsonOptions)!,
            r.ChangedBy, r.Reason, r.ChangedAt)).ToList();
    }
}

public sealed record UserRow(
    long UserId, string DocumentType, string DocumentNumber, string FirstName, string LastName, string Email, string Phone,
    DateOnly BirthDate, string Address, string? BankAccount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
{
    public PostalAddress PostalAddress => JsonSerializer.Deserialize<PostalAddress>(Address, OutboxMessage.JsonOptions)!;

    public UserData Data => new(DocumentType, DocumentNumber, FirstName, LastName, Email, Phone, BirthDate, PostalAddress);

    public UserView View => new(UserId, DocumentType, DocumentNumber, FirstName, LastName, Email, Phone, BirthDate, PostalAddress,
        BankAccount, CreatedAt, UpdatedAt);
}
