using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Signup.Features.MasterData;
using MasStack.Signup.Features.Numbers;
using MasStack.Signup.Features.SimCards;

namespace MasStack.Signup.Features.Sales;

/// <summary>A refusal from stock: the status it earns (400 a number outside our ranges, 409 taken or not held, 422 a rule) and the fields.</summary>
public sealed record StockRefusal(int Status, ValidationErrors Errors);

/// <summary>
/// Takes from stock what each line of a sale needs, inside the sale's transaction: its number (a held one, or any free
/// one), its SIM (the scanned one, or any of the network) and, for a ported number, the portability request. If the
/// sale is refused the transaction rolls back and everything is still in stock.
/// </summary>
public sealed class SaleStock(NumberStock numbers)
{
    public async Task<(List<SignupLine>? Lines, StockRefusal? Refusal)> TakeAsync(
        UnitOfWork db, IdGenerator ids, long signupId, string documentNumber, IReadOnlyList<ValidLine> lines, Func<int, string> linePrefix)
    {
        var (malformed, conflicts, rules) = (new ValidationErrors(), new ValidationErrors(), new ValidationErrors());
        var taken = new List<SignupLine>();
        var ranges = await numbers.RangesAsync();
        for (var i = 0; i < lines.Count; i++)
        {
            var (line, at, subscriptionId) = (lines[i], linePrefix(i), ids.Next());
            string? number = line.Number, iccid = line.Iccid, network = null;
            if (line.Type is SubscriptionType.Mobile or SubscriptionType.Fixed)
            {
                var type = EnumText.Of(line.Type);
                var range = number is null ? null : ranges.FirstOrDefault(r => r.Contains(NumberStock.National(number)));
                network = line.Network ?? range?.Network ?? (line.Type == SubscriptionType.Mobile ? MasterDataSet.MobileNetwork : MasterDataSet.FixedNetwork);
                if (line.NumberMode == NumberMode.Portability)
                {
                    if (range is not null) rules.Add($"{at}number", $"{number} is already one of our numbers: it cannot be ported in.");
                    else if (await db.ExecuteAsync(
                                 """
                                 INSERT INTO portability_requests (subscription_id, signup_id, number, donor_operator, document_number, donor_iccid)
                                 VALUES (@subscriptionId, @signupId, @number, @DonorOperator, @documentNumber, @DonorIccid) ON CONFLICT DO NOTHING
                                 """, new { subscriptionId, signupId, number, line.DonorOperator, documentNumber, line.DonorIccid }) == 0)
                        conflicts.Add($"{at}number", $"{number} is already being ported in by another sale.");
                }
                else if (number is null)
                {
                    number = await numbers.ClaimAnyAsync(db, network, type, signupId, subscriptionId);
                    if (number is null) conflicts.Add($"{at}number", $"The {network} network has no free {type} number left.");
                }
                else if (range is null || range.Type != type)
                    malformed.Add($"{at}number", $"{number} is not in any of our {type} number ranges.");
                else if (line.Network is not null && line.Network != range.Network)
                    rules.Add($"{at}network", $"{number} belongs to the {range.Network} network.");
                else
                {
                    var outcome = await numbers.ClaimAsync(db, number, line.ReservationId!.Value, range.Network, signupId, subscriptionId);
                    if (outcome == ClaimOutcome.NotReserved) conflicts.Add($"{at}reservationId", $"{number} is not reserved, or its reservation expired.");
                    if (outcome == ClaimOutcome.ReservedByAnother) conflicts.Add($"{at}reservationId", $"{number} is held by another reservation.");
                    if (outcome == ClaimOutcome.Taken) conflicts.Add($"{at}number", $"{number} already belongs to another sale.");
                }
            }

            if (line.Type == SubscriptionType.Mobile)
            {
                if (iccid is not null)
                {
                    if (await SimStock.AssignAsync(db, iccid, network!, signupId, subscriptionId) is { } why) conflicts.Add($"{at}iccid", why);
                }
                else if ((iccid = await SimStock.AssignAnyAsync(db, network!, signupId, subscriptionId)) is null)
                    conflicts.Add($"{at}iccid", $"There is no SIM card of the {network} network in stock.");
                if (line.NumberMode == NumberMode.Portability)
                    await db.ExecuteAsync("UPDATE portability_requests SET iccid = @iccid WHERE subscription_id = @subscriptionId", new { iccid, subscriptionId });
            }
            taken.Add(new SignupLine(subscriptionId, line.Type, line.ProductCode, line.NumberMode, number, iccid));
            await db.ExecuteAsync(
                """
                INSERT INTO signup_lines (subscription_id, signup_id, type, product_code, number_mode, number, iccid, network, donor_operator, donor_iccid)
                VALUES (@subscriptionId, @signupId, @Type, @ProductCode, @NumberMode, @number, @iccid, @network, @DonorOperator, @DonorIccid)
                """,
                new
                {
                    subscriptionId, signupId, Type = EnumText.Of(line.Type), line.ProductCode, number, iccid, network, line.DonorOperator, line.DonorIccid,
                    NumberMode = line.NumberMode is { } mode ? EnumText.Of(mode) : null,
                });
        }

        if (!malformed.IsEmpty) return (null, new StockRefusal(StatusCodes.Status400BadRequest, malformed));
        if (!rules.IsEmpty) return (null, new StockRefusal(StatusCodes.Status422UnprocessableEntity, rules));
        if (!conflicts.IsEmpty) return (null, new StockRefusal(StatusCodes.Status409Conflict, conflicts));
        return (taken, null);
    }
}
