using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MasStack.Platform.Http;
using MasStack.ServiceDefaults;

namespace MasStack.Subscription.Features.WorkOrders;

/// <summary>What the network said about an order: applied (with its reference) or refused, with the refusal's reason.</summary>
public sealed record NetworkAnswer(bool Applied, string? Reference, string Detail)
{
    /// <summary>A refusal's reason: the problem's <c>detail</c> when the answer is one, else the whole answer.</summary>
    public string Reason
    {
        get
        {
            try
            {
                if (JsonNode.Parse(Detail)?["detail"] is JsonValue value && value.TryGetValue<string>(out var detail)) return detail;
            }
            catch (JsonException) { /* not JSON: the answer as it came */ }
            return Detail;
        }
    }
}

public sealed record NetworkOrder(long OrderId, long SubscriptionId, string Type, JsonObject Parameters);

/// <summary>
/// The network provisioning endpoint: <c>POST http://network/orders</c> (installations: <c>/installations</c>, the field
/// service's stand-in on the same host) with the order and an <c>Idempotency-Key</c> made
/// from the work order id, so that a retry after a lost response is applied once. 2xx: applied; 4xx: refused; anything
/// else, a timeout or an open circuit: <see cref="DependencyUnavailableException"/>, and the dispatcher tries later.
/// </summary>
public sealed class NetworkClient(HttpClient http)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.Network}");
    public static readonly DependencyPolicy Policy = new(TimeSpan.FromSeconds(2), 3, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(3));

    public static string IdempotencyKey(long workOrderId) => $"work-order-{workOrderId}";

    /// <summary>Installations go to the field service; every other order to SIM provisioning.</summary>
    public static string PathOf(string type) => type == "install" ? "/installations" : "/orders";

    public async Task<NetworkAnswer> SendAsync(NetworkOrder order, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, PathOf(order.Type)) { Content = JsonContent.Create(order, options: JsonSerializerOptions.Web) };
            request.Headers.Add(TransactionFilter.Header, IdempotencyKey(order.OrderId));
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode) return new NetworkAnswer(true, ReferenceIn(body), body);
            if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode != HttpStatusCode.RequestTimeout
                && response.StatusCode != HttpStatusCode.TooManyRequests)
                return new NetworkAnswer(false, null, body);
            throw new DependencyUnavailableException(ResourceNames.Network);
        }
        catch (Exception e) when (DependencyFailures.IsUnavailable(e, cancellationToken))
        {
            throw new DependencyUnavailableException(ResourceNames.Network, e);
        }
    }

    /// <summary>The network's reference in an answer that says it applied the order; an answer without one is not an answer.</summary>
    private static string ReferenceIn(string body)
    {
        try
        {
            if (JsonNode.Parse(body)?["networkOrderId"] is JsonValue value && value.TryGetValue<string>(out var reference) && reference.Length > 0)
                return reference;
        }
        catch (JsonException) { /* reported below */ }
        throw new MalformedNetworkAnswerException(body);
    }
}

/// <summary>The network said it applied an order but its answer cannot be read: the attempt counts as failed.</summary>
public sealed class MalformedNetworkAnswerException(string body)
    : Exception($"The network's answer was malformed: {(body.Length > 200 ? body[..200] + "…" : body)}");
