using System.Text.Json;
using Dapper;
using MasStack.Contracts;
using MasStack.Customer.Features.Users;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Platform.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Customer.Features.Expedition;

public static class ExpeditionApi
{
    /// <summary>The version of shipping details never replaced: the user's own address, under ETag "0".</summary>
    public const int DefaultVersion = 0;

    public static IEndpointRouteBuilder MapExpeditionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/users").WithTags("Users");
        api.MapGet("/{userId:long}/expedition", Get);
        api.MapPut("/{userId:long}/expedition", Replace).Transactional();
        return app;
    }

    private static async Task<Results<Ok<ExpeditionView>, NotFound>> Get(long userId, NpgsqlDataSource database, HttpContext http)
    {
        await using var connection = await database.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<ExpeditionRow>(Select, new { userId });
        if (row is null) return TypedResults.NotFound();
        Preconditions.SetETag(http, row.Version);
        return TypedResults.Ok(row.View(userId));
    }

    private static async Task<Results<Ok<ExpeditionView>, NotFound, ValidationProblem, ProblemHttpResult>> Replace(
        long userId, ExpeditionRequest request, HttpContext http, UnitOfWork db, IdGenerator ids, TimeProvider clock)
    {
        // Locking the user serializes replacements, also of details that have no row yet.
        var row = await db.QuerySingleOrDefaultAsync<ExpeditionRow>(Select + " FOR UPDATE OF u", new { userId });
        if (row is null) return TypedResults.NotFound();
        if (Preconditions.CheckIfMatch(http.Request, row.Version) is { } failed) return failed;
        var (details, errors) = ExpeditionValidation.Validate(request);
        if (details is null) return TypedResults.ValidationProblem(errors.ToDictionary());

        var now = clock.GetUtcNow();
        var before = row.View(userId);
        var version = row.Version + 1;
        await db.ExecuteAsync(
            """
            INSERT INTO user_expeditions (user_id, address, contact_name, contact_phone, notes, version, updated_at)
            VALUES (@userId, @Address::jsonb, @ContactName, @ContactPhone, @Notes, @version, @now)
            ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, contact_name = excluded.contact_name,
                contact_phone = excluded.contact_phone, notes = excluded.notes, version = excluded.version, updated_at = excluded.updated_at
            """,
            new
            {
                userId, details.ContactName, details.ContactPhone, details.Notes, version, now,
                Address = JsonSerializer.Serialize(details.Address, OutboxMessage.JsonOptions),
            });
        var changes = new Dictionary<string, FieldChange>();
        if (before.Address != details.Address) changes["address"] = new FieldChange(before.Address, details.Address);
        if (before.ContactName != details.ContactName) changes["contactName"] = new FieldChange(before.ContactName, details.ContactName);
        if (before.ContactPhone != details.ContactPhone) changes["contactPhone"] = new FieldChange(before.ContactPhone, details.ContactPhone);
        if (before.Notes != details.Notes) changes["notes"] = new FieldChange(before.Notes, details.Notes);
        await UserStore.RecordChangeAsync(db, ids, userId, "expedition", changes, Actor.Of(http.Request), now);

        Preconditions.SetETag(http, version);
        return TypedResults.Ok(new ExpeditionView(userId, details.Address, details.ContactName, details.ContactPhone, details.Notes, false, now));
    }

    private const string Select =
        """
        SELECT coalesce(e.address, u.address)::text AS Address,
               coalesce(e.contact_name, u.first_name || ' ' || u.last_name) AS ContactName,
               coalesce(e.contact_phone, u.phone) AS ContactPhone, e.notes AS Notes,
               coalesce(e.version, 0) AS Version, e.updated_at AS UpdatedAt
        FROM users u LEFT JOIN user_expeditions e ON e.user_id = u.id
        WHERE u.id = @userId
        """;

    private sealed record ExpeditionRow(string Address, string ContactName, string ContactPhone, string? Notes, int Version, DateTimeOffset? UpdatedAt)
    {
        public ExpeditionView View(long userId) => new(
            userId, JsonSerializer.Deserialize<PostalAddress>(Address, OutboxMessage.JsonOptions)!, ContactName, ContactPhone, Notes,
            Version == DefaultVersion, UpdatedAt);
    }
}
