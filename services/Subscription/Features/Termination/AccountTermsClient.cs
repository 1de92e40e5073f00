using System.Net.Http.Json;
using System.Text.Json;
using MasStack.Contracts;
using MasStack.Platform.Http;
using MasStack.ServiceDefaults;

namespace MasStack.Subscription.Features.Termination;

/// <summary>The part of an account's terms a termination needs: whether it is within its commitment, and the fee for leaving today.</summary>
public sealed record AccountTerms(long AccountId, bool InCommitment, DateOnly? EndDate, Money EarlyTerminationFee);

/// <summary>Account owns the terms: <c>GET http://account/api/v1/accounts/{id}/terms</c>, computed for today. Down: <see cref="DependencyUnavailableException"/>.</summary>
public sealed class AccountTermsClient(HttpClient http)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.Account}");

    public async Task<AccountTerms> GetAsync(long accountId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"/api/v1/accounts/{accountId}/terms", cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"Account answered {(int)response.StatusCode} for the terms of account {accountId}.");
            return (await response.Content.ReadFromJsonAsync<AccountTerms>(JsonSerializerOptions.Web, cancellationToken))!;
        }
        catch (Exception e) when (DependencyFailures.IsUnavailable(e, cancellationToken))
        {
            throw new DependencyUnavailableException(ResourceNames.Account, e);
        }
    }
}
