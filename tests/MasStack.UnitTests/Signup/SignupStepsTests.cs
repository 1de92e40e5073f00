namespace MasStack.UnitTests.Signup;

using MasStack.Contracts;
using MasStack.Signup.Features.Sales;

public class SignupStepsTests
{
    private static readonly SignupLine[] Lines = [new(11, SubscriptionType.Mobile, "MOBILE-50GB", NumberMode.New, "+34622000001", null)];

    [Fact]
    public void A_postpaid_sale_waits_for_Billing_to_store_its_payment_info_and_a_prepaid_one_does_not()
    {
        Assert.Contains(SignupSteps.Billing, SignupProgress.StepsFor(Lines, PaymentType.Postpaid));
        Assert.DoesNotContain(SignupSteps.Billing, SignupProgress.StepsFor(Lines, PaymentType.Prepaid));
        Assert.Equal(["account", "barring:11", "consumption:11", "customer", "subscription:11"], SignupProgress.StepsFor(Lines, PaymentType.Prepaid).Order());
    }
}
