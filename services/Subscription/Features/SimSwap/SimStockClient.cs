using System.Net.Http.Json;
using System.Text.Json;
using MasStack.Platform.Http;
using MasStack.ServiceDefaults;
using Microsoft.AspNetCore.Mvc;

namespace MasStack.Subscription.Features.SimSwap;

/// <summary>What Signup answered to a claim: the SIM it gave the line, or why not (409 a SIM's state, 422 a rule).</summary>
public sealed record SimClaim(SimCard? Sim, int? RefusalStatus, string? RefusalDetail);

/// <summary>
/// Signup owns the SIM stock; a swap claims the new SIM there before the line changes, and releases the claim if the line
/// then cannot change: <c>POST http://signup/internal/sim-cards/{iccid}/swap</c> and <c>…/swap/release</c> with
/// <c>{subscriptionId, replacesIccid, claimId}</c>. Both are safe to repeat (and carry an Idempotency-Key, so the resilience
/// pipeline retries them). When Signup does not answer a claim: 503, and nothing changes.
/// </summary>
public sealed class SimStockClient(HttpClient http, ILogger<SimStockClient> logger)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.Signup}");

    public async Task<SimClaim> ClaimAsync(string newIccid, long subscriptionId, string oldIccid, long claimId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await PostAsync($"/internal/sim-cards/{newIccid}/swap", subscriptionId, oldIccid, claimId, "claim", cancellationToken);
            if (response.IsSuccessStatusCode)
                return new SimClaim(await response.Content.ReadFromJsonAsync<SimCard>(JsonSerializerOptions.Web, cancellationToken), null, null);
            if ((int)response.StatusCode is StatusCodes.Status409Conflict or StatusCodes.Status422UnprocessableEntity)
            {
                var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(JsonSerializerOptions.Web, cancellationToken);
                return new SimClaim(null, (int)response.StatusCode, problem?.Detail ?? "The SIM stock refused the swap.");
            }
            throw new DependencyUnavailableException(ResourceNames.Signup);
        }
        catch (Exception e) when (DependencyFailures.IsUnavailable(e, cancellationToken))
        {
            throw new DependencyUnavailableException(ResourceNames.Signup, e);
        }
    }

    /// <summary>Gives the claimed SIM back to stock; if Signup cannot be told, logs that stock and line disagree (a repeat of the swap mends it).</summary>
    public async Task ReleaseAsync(string newIccid, long subscriptionId, string oldIccid, long claimId)
    {
        try
        {
            using var response = await PostAsync($"/internal/sim-cards/{newIccid}/swap/release", subscriptionId, oldIccid, claimId, "release", CancellationToken.None);
            response.EnsureSuccessStatusCode();
        }
        catch (Exception e)
        {
            logger.LogError(e,
                "SIM {NewIccid} stays claimed for line {SubscriptionId} (replacing {OldIccid}) although the line did not change: Signup could not be told",
                newIccid, subscriptionId, oldIccid);
        }
    }

    private Task<HttpResponseMessage> PostAsync(
        string path, long subscriptionId, string oldIccid, long claimId, string step, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = JsonContent.Create(new { subscriptionId, replacesIccid = oldIccid, claimId }, options: JsonSerializerOptions.Web),
        };
        request.Headers.Add("Idempotency-Key", $"sim-swap-{step}-{claimId}");
        return http.SendAsync(request, cancellationToken);
    }
}
