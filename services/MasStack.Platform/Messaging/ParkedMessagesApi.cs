using System.Net.Sockets;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RabbitMQ.Client.Exceptions;

namespace MasStack.Platform.Messaging;

public sealed record ParkedMessagesView(string Service, IReadOnlyList<ParkedQueue> Queues);

/// <summary>Which parked messages to replay: those of one queue (all queues when absent), only the given message ids when some are given.</summary>
public sealed record ReplayRequest(string? Queue, IReadOnlyList<string>? MessageIds);

public sealed record ReplayedView(string Service, int Replayed, IReadOnlyDictionary<string, int> Queues);

/// <summary>
/// The operator's view of the service's parked messages (public-api.md, Operations):
/// <c>GET /api/v1/operations/{service}/parked-messages</c> lists them per consumer queue,
/// <c>POST /api/v1/operations/{service}/parked-messages/replay</c> sends them back to their consumers (once their
/// cause is fixed). Every service serves its own; the gateway routes by the service in the path, and each service's
/// resource in the Aspire dashboard has the same two as commands.
/// </summary>
public static class ParkedMessagesApi
{
    public const int DefaultLimit = 100;

    public static string PathOf(string service) => $"/api/v1/operations/{service}/parked-messages";

    public static IEndpointRouteBuilder MapParkedMessagesApi(this IEndpointRouteBuilder app, ServiceIdentity service)
    {
        var api = app.MapGroup(PathOf(service.Name)).WithTags("Operations");
        api.MapGet("", List);
        api.MapPost("/replay", Replay);
        return app;
    }

    private static async Task<Results<Ok<ParkedMessagesView>, ValidationProblem>> List(
        string? queue, int? limit, ParkedMessages parked, ServiceConsumers consumers, ServiceIdentity service, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (queue is not null && !consumers.HasQueue(queue)) errors["queue"] = [UnknownQueue(queue, consumers)];
        if (limit is < 0 or > ParkedMessages.MaxListed) errors["limit"] = [$"limit must be between 0 and {ParkedMessages.MaxListed}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var queues = await BrokerCall(() => parked.ListAsync(queue, limit ?? DefaultLimit, ct));
        return TypedResults.Ok(new ParkedMessagesView(service.Name, queues));
    }

    private static async Task<Results<Ok<ReplayedView>, ValidationProblem>> Replay(
        ReplayRequest? request, ParkedMessages parked, ServiceConsumers consumers, ServiceIdentity service, CancellationToken ct)
    {
        if (request?.Queue is { } queue && !consumers.HasQueue(queue))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["queue"] = [UnknownQueue(queue, consumers)] });

        var ids = request?.MessageIds is { Count: > 0 } messageIds ? messageIds.ToHashSet(StringComparer.OrdinalIgnoreCase) : null;
        var replayed = await BrokerCall(() => parked.ReplayAsync(request?.Queue, ids, ct));
        return TypedResults.Ok(new ReplayedView(service.Name, replayed.Values.Sum(), replayed));
    }

    private static string UnknownQueue(string queue, ServiceConsumers consumers) =>
        $"'{queue}' is not a queue of this service; its queues: {string.Join(", ", consumers.All.Select(c => c.Queue))}.";

    /// <summary>A broker that does not answer is a 503 with Retry-After, as for any dependency.</summary>
    private static async Task<T> BrokerCall<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is BrokerUnreachableException or SocketException or AlreadyClosedException or ConnectFailureException)
        {
            throw new DependencyUnavailableException(ResourceNames.RabbitMq, e);
        }
    }
}
