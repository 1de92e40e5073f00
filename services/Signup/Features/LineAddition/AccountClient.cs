using System.Net;
using System.Net.Http.Json;
using MasStack.Contracts;
using MasStack.Platform.Http;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;

namespace MasStack.Signup.Features.LineAddition;

public sealed record AccountSnapshot(long AccountId, long UserId, AccountStatus Status, PaymentType PaymentType, string BundleCode, IReadOnlyList<AccountLineSnapshot> Subscriptions);

public sealed record AccountLineSnapshot(long SubscriptionId, SubscriptionType Type, string ProductCode, SubscriptionStatus Status);

/// <summary>Account's view of an account, read over service discovery with the resilience pipeline; 503 when Account does not answer.</summary>
public sealed class AccountClient(HttpClient http)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.Account}");

    public async Task<AccountSnapshot?> GetAsync(long accountId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"/api/v1/accounts/{accountId}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode) throw new DependencyUnavailableException(ResourceNames.Account);
            return await response.Content.ReadFromJsonAsync<AccountSnapshot>(OutboxMessage.JsonOptions, cancellationToken);
        }
        catch (Exception e) when (DependencyFailures.IsUnavailable(e, cancellationToken))
        {
            throw new DependencyUnavailableException(ResourceNames.Account, e);
        }
    }
}
