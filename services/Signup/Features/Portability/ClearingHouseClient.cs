using System.Net;
using System.Net.Http.Json;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;

namespace MasStack.Signup.Features.Portability;

public sealed record ClearingHouseRequest(string Number, string DonorOperator, string DocumentNumber, string? DonorIccid);

public sealed record ClearingHouseStatus(long Id, string State, string? Reason, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd);

/// <summary>The national portability clearing house (a stand-in under the AppHost), found by service discovery.</summary>
public sealed class ClearingHouseClient(HttpClient http)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.ClearingHouse}");

    /// <summary>Files (or re-files, idempotently) the request under our id.</summary>
    public async Task<ClearingHouseStatus> SubmitAsync(long id, ClearingHouseRequest request, CancellationToken ct)
    {
        using var response = await http.PutAsJsonAsync($"/portability-requests/{id}", request, OutboxMessage.JsonOptions, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ClearingHouseStatus>(OutboxMessage.JsonOptions, ct))!;
    }

    /// <summary>The request's state, or null when the clearing house does not know it (to be filed again).</summary>
    public async Task<ClearingHouseStatus?> GetAsync(long id, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/portability-requests/{id}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ClearingHouseStatus>(OutboxMessage.JsonOptions, ct);
    }

    /// <summary>
    /// Cancels the request: its state as the clearing house answers (<c>cancelled</c>, or where it already was when it
    /// was too late), or null when the clearing house does not know it (nothing to cancel). Any other answer throws.
    /// </summary>
    public async Task<ClearingHouseStatus?> CancelAsync(long id, CancellationToken ct)
    {
        using var response = await http.PostAsync($"/portability-requests/{id}/cancellation", null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ClearingHouseStatus>(OutboxMessage.JsonOptions, ct);
    }
}
