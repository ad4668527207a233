using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;

namespace SessionRoom.Web.Hosting;

/// <summary>
/// A realistic example study, offered on an empty home page so a newcomer sees at once what a
/// codebook, a focus-group guide and a usability-test guide look like. It passes the same rules as
/// anything a user types.
/// </summary>
public sealed class DemoStudy(StudyStore studies, SessionStore sessions)
{
    public Study Create()
    {
        var codebook = StudyRules.Codebook(
        [
            new("confused", "#E53935", 1),
            new("delight", "#43A047", 2),
            new("pricing", "#FB8C00", 3),
            new("navigation", "#1E88E5", 4),
            new("trust", "#8E24AA", 5),
            new("feature request", "#00897B", 6),
        ]);
        var study = studies.Create(
            StudyRules.Study(new StudyInput(
                "Checkout redesign (demo)",
                "Find out why shoppers abandon the new checkout, and whether the redesigned payment step fixes it.")),
            codebook);

        sessions.Create(study.Id, StudyRules.Session(new SessionInput(
            "Focus group: how people shop for home goods",
            SessionModes.FocusGroup,
            Prompts:
            [
                new(PromptKinds.Question, "Think of the last thing you bought for your home online. How did you choose where to buy it?"),
                new(PromptKinds.Poll, "Which of these would make you leave a checkout?", ["Unexpected shipping costs", "Having to create an account", "Too many steps", "Payment method missing"], Multiple: true),
                new(PromptKinds.Stimulus, "Here is the redesigned payment step. What is your first impression?", Url: "https://example.org/stimuli/payment-step-v2.png"),
                new(PromptKinds.Rating, "How much would you trust this page with your card details?", ScaleMax: 7),
                new(PromptKinds.Question, "If you could change one thing about this checkout, what would it be?"),
            ])));

        sessions.Create(study.Id, StudyRules.Session(new SessionInput(
            "Usability test: checkout, round 1",
            SessionModes.Usability,
            Prompts:
            [
                new(PromptKinds.Question, "Before we start: how often do you shop online?"),
                new(PromptKinds.Task, "Find a blue ceramic mug under £15 and add it to your basket.", SuccessCriteria: "The blue mug is in the basket."),
                new(PromptKinds.Seq, "Overall, how easy or difficult was that task?"),
                new(PromptKinds.Task, "Buy the mug, paying by card, with delivery to a work address.", SuccessCriteria: "Order confirmation page shown with the work address."),
                new(PromptKinds.Seq, "Overall, how easy or difficult was that task?"),
                new(PromptKinds.Sus, "System Usability Scale"),
            ])));
        return study;
    }
}
