using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Subscription.Features.Installation;
using MasStack.Subscription.Features.Lines;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Subscription.Features.WorkOrders;

public sealed record WorkOrderRequest(WorkOrderType? Type, JsonObject? Parameters);

public sealed record WorkOrderView(
    long WorkOrderId, long SubscriptionId, WorkOrderType Type, JsonObject Parameters, WorkOrderStatus Status, int Attempts,
    string? NetworkReference, string? NetworkAnswer, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? FinishedAt);

/// <summary>Change orders for the network (the seed's changeOrder to mysimWS): accepted at once (202), sent asynchronously.</summary>
public static class WorkOrderApi
{
    public static IEndpointRouteBuilder MapWorkOrderApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Work orders");
        api.MapPost("/subscriptions/{subscriptionId:long}/work-orders", Create).Transactional();
        api.MapGet("/work-orders/{workOrderId:long}", Get);
        return app;
    }

    private static async Task<Results<Accepted<WorkOrderView>, NotFound, ValidationProblem, ProblemHttpResult>> Create(
        long subscriptionId, WorkOrderRequest request, UnitOfWork db, IdGenerator ids, WorkOrderSignal signal, TimeProvider clock)
    {
        if (request.Type is not { } type) return ValidationErrors.For("type", $"One of {EnumText.Choices<WorkOrderType>()}.");
        if (await LineStore.LoadForUpdateAsync(db, subscriptionId) is not { } line) return TypedResults.NotFound();
        if (LineLifecycle.RefusalForChange(line.Status) is { } conflict) return Problems.Conflict(conflict);
        // A new visit, for an operator, once the last installation failed for good.
        if (type == WorkOrderType.Install && Installations.Refusal(line) is { } noInstallation) return Problems.Conflict(noInstallation);
        if (type == WorkOrderType.Install && await Installations.HasLiveOrderAsync(db, line.Id))
            return Problems.Conflict("The line's installation is pending or done already.");

        var now = clock.GetUtcNow();
        var id = await WorkOrderStore.CreateAsync(db, ids.Next(), line, type, request.Parameters, now, signal);
        var order = await db.QuerySingleOrDefaultAsync<WorkOrderRow>(SelectSql, new { workOrderId = id });
        return TypedResults.Accepted($"/api/v1/work-orders/{id}", View(order!));
    }

    private static async Task<Results<Ok<WorkOrderView>, NotFound>> Get(long workOrderId, NpgsqlDataSource database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<WorkOrderRow>(SelectSql, new { workOrderId });
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(View(row));
    }

    private const string SelectSql =
        """
        SELECT id, subscription_id AS SubscriptionId, type, parameters::text AS Parameters, status, attempts, network_reference AS NetworkReference,
               network_answer AS NetworkAnswer, last_error AS LastError, created_at AS CreatedAt, next_attempt_at AS NextAttemptAt, finished_at AS FinishedAt
        FROM work_orders WHERE id = @workOrderId
        """;

    private static WorkOrderView View(WorkOrderRow row)
    {
        var status = EnumText.Parse<WorkOrderStatus>(row.Status);
        return new WorkOrderView(row.Id, row.SubscriptionId, EnumText.Parse<WorkOrderType>(row.Type), WorkOrderStore.ParametersOf(row.Parameters),
            status, row.Attempts, row.NetworkReference, row.NetworkAnswer, row.LastError, row.CreatedAt,
            status == WorkOrderStatus.Pending ? row.NextAttemptAt : null, row.FinishedAt);
    }

    private sealed record WorkOrderRow(
        long Id, long SubscriptionId, string Type, string Parameters, string Status, int Attempts, string? NetworkReference, string? NetworkAnswer,
        string? LastError, DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? FinishedAt);
}
