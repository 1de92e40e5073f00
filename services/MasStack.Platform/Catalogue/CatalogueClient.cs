using System.Net.Http.Json;
using MasStack.Platform.Http;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Caching.Memory;

namespace MasStack.Platform.Catalogue;

/// <summary>
/// The catalogue as Signup owns it, read over HTTP (service discovery and the resilience pipeline of every
/// HttpClient) and kept for a minute: the catalogue changes rarely and is read on many requests. When Signup
/// does not answer, the caller gets a <see cref="DependencyUnavailableException"/> (503), never a hang.
/// </summary>
public sealed class CatalogueClient(HttpClient http, IMemoryCache cache)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.Signup}");
    /// <summary>How long a catalogue read is kept, here and in Signup's own store: an operator's change shows within it.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    public async Task<Contracts.Catalogue> GetAsync(CancellationToken cancellationToken = default)
    {
        if (cache.TryGetValue(nameof(CatalogueClient), out Contracts.Catalogue? cached)) return cached!;
        try
        {
            var catalogue = await http.GetFromJsonAsync<Contracts.Catalogue>("/internal/catalogue", OutboxMessage.JsonOptions, cancellationToken)
                ?? throw new DependencyUnavailableException(ResourceNames.Signup);
            return cache.Set(nameof(CatalogueClient), catalogue, CacheFor);
        }
        catch (Exception e) when (DependencyFailures.IsUnavailable(e, cancellationToken))
        {
            throw new DependencyUnavailableException(ResourceNames.Signup, e);
        }
    }
}
