using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MasStack.Platform.Http;
using MasStack.ServiceDefaults;

namespace MasStack.Subscription.Features.SimSwap;

/// <summary>
/// Signup owns the SIM stock; a swap asks it, now, whether the new SIM is available and of the line's network:
/// <c>GET http://signup/internal/sim-cards/{iccid}</c> → 200 <c>{iccid, network, state, subscriptionId}</c> or 404.
/// Signup then updates its stock from <c>SimReplaced</c>. When Signup does not answer: 503, and nothing changes.
/// </summary>
public sealed class SimStockClient(HttpClient http)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.Signup}");

    public async Task<SimCard?> FindAsync(string iccid, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await http.GetAsync($"/internal/sim-cards/{iccid}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode) throw new DependencyUnavailableException(ResourceNames.Signup);
            return await response.Content.ReadFromJsonAsync<SimCard>(JsonSerializerOptions.Web, cancellationToken);
        }
        catch (Exception e) when (DependencyFailures.IsUnavailable(e, cancellationToken))
        {
            throw new DependencyUnavailableException(ResourceNames.Signup, e);
        }
    }
}
