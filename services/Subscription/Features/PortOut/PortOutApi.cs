using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Subscription.Features.Accounts;
using MasStack.Subscription.Features.Lines;
using MasStack.Subscription.Features.WorkOrders;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.PortOut;

/// <summary>The clearing house's request to port one of our numbers to <see cref="RecipientOperator"/>, within its window.</summary>
public sealed record PortOutRequest(
    string? Number, string? RecipientOperator, string? DocumentNumber, string? DonorIccid, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd);

/// <summary>A port-out as the clearing house and the subscription see it: <c>accepted</c>, <c>rejected</c> (reason code) or <c>ported-out</c>.</summary>
public sealed record PortOutView(
    long PortOutId, long? SubscriptionId, string Number, string RecipientOperator, string State, string? Reason, DateTimeOffset RequestedAt,
    DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd, DateTimeOffset UpdatedAt);

/// <summary>
/// MasStack as the donor operator, for the national clearing house (internal: not behind the gateway). The clearing house
/// files a request (<c>PUT /internal/port-outs/{id}</c>), which is validated at once (<see cref="PortOutRules"/>) and
/// recorded on the line, accepted or rejected with its reason; when the window passes it says the port was executed
/// (<c>POST /internal/port-outs/{id}/execution</c>) and the line ends ported-out: its SIM is deactivated on the network,
/// and <see cref="SubscriptionPortedOut"/> tells Signup the number has left our stock. Both are safe to repeat.
/// </summary>
public static class PortOutApi
{
    public static IEndpointRouteBuilder MapPortOutApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal/port-outs/{portOutId:long}").WithTags("Port-out (clearing house)");
        api.MapPut("/", Request).Transactional();
        api.MapPost("/execution", Execute).Transactional();
        return app;
    }

    private static async Task<Results<Ok<PortOutView>, ValidationProblem>> Request(
        long portOutId, PortOutRequest request, UnitOfWork db, TimeProvider clock)
    {
        var errors = new ValidationErrors();
        var number = PhoneNumber.Normalize(request.Number);
        if (errors.Required("number", request.Number) && number is null) errors.Add("number", "Not a Spanish phone number.");
        errors.Required("recipientOperator", request.RecipientOperator);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());
        if (await FindAsync(db, portOutId) is { } known) return TypedResults.Ok(known);

        var now = clock.GetUtcNow();
        var lineId = await db.QuerySingleOrDefaultAsync<long?>(
            $"SELECT id FROM subscriptions WHERE number = @number AND status NOT IN ({EndedLines.Sql}) LIMIT 1", new { number });
        var line = lineId is { } id ? await LineStore.LoadForUpdateAsync(db, id) : null;
        var paymentType = line is null ? PaymentType.Postpaid : (await AccountBundles.FindAsync(db, line.AccountId))?.PaymentType ?? PaymentType.Postpaid;
        var document = line is null ? null
            : await db.QuerySingleOrDefaultAsync<string>("SELECT document_number FROM user_documents WHERE user_id = @UserId", new { line.UserId });
        var inProgress = line is not null && await db.QuerySingleOrDefaultAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM port_outs WHERE subscription_id = @Id AND state = 'accepted')", new { line.Id });
        var refusal = PortOutRules.Refusal(line, paymentType, document, new PortOutAsk(request.DocumentNumber, request.DonorIccid), inProgress, now);

        await db.ExecuteAsync(
            """
            INSERT INTO port_outs (id, subscription_id, number, recipient_operator, state, reason, requested_at, window_start, window_end, updated_at)
            VALUES (@portOutId, @SubscriptionId, @number, @RecipientOperator, @state, @refusal, @now, @WindowStart, @WindowEnd, @now)
            ON CONFLICT (id) DO NOTHING
            """,
            new
            {
                portOutId, SubscriptionId = line?.Id, number, request.RecipientOperator, state = refusal is null ? "accepted" : "rejected", refusal, now,
                request.WindowStart, request.WindowEnd,
            });
        return TypedResults.Ok((await FindAsync(db, portOutId))!);
    }

    private static async Task<Results<Ok<PortOutView>, NotFound, ProblemHttpResult>> Execute(
        long portOutId, UnitOfWork db, IdGenerator ids, WorkOrderSignal signal, TimeProvider clock)
    {
        if (await FindAsync(db, portOutId) is not { } portOut) return TypedResults.NotFound();
        if (portOut.State == "ported-out") return TypedResults.Ok(portOut);
        if (portOut.State != "accepted" || portOut.SubscriptionId is not { } subscriptionId)
            return Problems.Conflict($"The port-out is {portOut.State}; only an accepted one is executed.");
        var line = await LineStore.LoadForUpdateAsync(db, subscriptionId);
        // Locked after the line, as every writer of a line does; read again under the lock.
        portOut = (await db.QuerySingleOrDefaultAsync<PortOutView>($"{Select} FOR UPDATE", new { portOutId }))!;
        if (portOut.State == "ported-out") return TypedResults.Ok(portOut);
        if (line is null || !LineLifecycle.CanMove(line.Status, SubscriptionStatus.PortedOut))
            return Problems.Conflict($"The line is {(line is null ? "gone" : EnumText.Of(line.Status))}; its number cannot be ported out.");

        var now = clock.GetUtcNow();
        await LineStore.ChangeStatusAsync(db, line, SubscriptionStatus.PortedOut, $"Number ported to {portOut.RecipientOperator}.", now);
        await WorkOrderStore.CreateAsync(db, ids.Next(), line, WorkOrderType.Deactivate, new JsonObject { ["reason"] = "ported-out" }, now, signal);
        var ended = await db.QuerySingleOrDefaultAsync<Ended>(
            "UPDATE subscriptions SET ended_at = @now, version = version + 1 WHERE id = @Id RETURNING version, activated_at AS ActivatedAt",
            new { line.Id, now });
        await db.PublishAsync(new SubscriptionPortedOut(
            line.Id, line.AccountId, line.UserId, line.Type, line.Number!, line.Iccid, portOut.RecipientOperator, portOutId, ended!.ActivatedAt, now,
            ended.Version));
        await db.ExecuteAsync("UPDATE port_outs SET state = 'ported-out', updated_at = @now WHERE id = @portOutId", new { portOutId, now });
        return TypedResults.Ok((await FindAsync(db, portOutId))!);
    }

    private const string Columns =
        """
        id AS PortOutId, subscription_id AS SubscriptionId, number, recipient_operator AS RecipientOperator, state, reason,
        requested_at AS RequestedAt, window_start AS WindowStart, window_end AS WindowEnd, updated_at AS UpdatedAt
        """;

    private const string Select = $"SELECT {Columns} FROM port_outs WHERE id = @portOutId";

    private static Task<PortOutView?> FindAsync(UnitOfWork db, long portOutId) => db.QuerySingleOrDefaultAsync<PortOutView>(Select, new { portOutId });

    /// <summary>The port-out requests that named the line, newest first, for its view.</summary>
    public static async Task<IReadOnlyList<PortOutView>> OfAsync(NpgsqlConnection connection, long subscriptionId) =>
        (await connection.QueryAsync<PortOutView>(
            $"SELECT {Columns} FROM port_outs WHERE subscription_id = @subscriptionId ORDER BY requested_at DESC, id DESC", new { subscriptionId })).AsList();

    private sealed record Ended(long Version, DateTimeOffset? ActivatedAt);
}
