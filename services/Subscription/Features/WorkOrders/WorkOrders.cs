using System.Text.Json.Nodes;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Workers;
using MasStack.ServiceDefaults;
using MasStack.Subscription.Features.Lines;

namespace MasStack.Subscription.Features.WorkOrders;

/// <summary>
/// The change orders the network's SIM web service (the seed's mysimWS) understands, and <see cref="Install"/>: a
/// technician's visit that the field service carries out (same dispatcher, another endpoint).
/// </summary>
public enum WorkOrderType { ActivateSim, SuspendSim, ResumeSim, ReplaceSim, ChangeProduct, ChangeServices, Deactivate, ChangeBarrings, Install }

/// <summary>Wakes the dispatcher as soon as a work order is committed, instead of at its next poll.</summary>
public sealed class WorkOrderSignal : WorkSignal;

public static class WorkOrderStore
{
    /// <summary>
    /// Stores a pending work order in the caller's transaction; the dispatcher sends it once that commits, in the trace
    /// of the caller (a sale's, say).
    /// </summary>
    public static async Task<long> CreateAsync(
        UnitOfWork db, long id, Line line, WorkOrderType type, JsonObject? parameters, DateTimeOffset now, WorkOrderSignal signal)
    {
        var order = new JsonObject
        {
            ["iccid"] = line.Iccid,
            ["number"] = line.Number,
            ["productCode"] = line.ProductCode,
        };
        foreach (var (key, value) in parameters ?? []) order[key] = value?.DeepClone();
        await db.ExecuteAsync(
            """
            INSERT INTO work_orders (id, subscription_id, type, parameters, status, created_at, next_attempt_at, traceparent)
            VALUES (@id, @SubscriptionId, @Type, @Parameters::jsonb, @Status, @now, @now, @traceparent)
            """,
            new
            {
                id, SubscriptionId = line.Id, Type = EnumText.Of(type), Parameters = order.ToJsonString(), Status = EnumText.Of(WorkOrderStatus.Pending), now,
                traceparent = Telemetry.Traceparent,
            });
        db.AfterCommit(() =>
        {
            signal.Notify();
            return Task.CompletedTask;
        });
        return id;
    }

    public static JsonObject ParametersOf(string json) => JsonNode.Parse(json) as JsonObject ?? [];

}
