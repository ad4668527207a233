using Microsoft.AspNetCore.SignalR;
using SessionRoom.Core.Live;

namespace SessionRoom.Web.Hubs;

/// <summary>
/// Maps what a hub method throws to what its caller reads, in one place: a refusal by the rules
/// becomes a <see cref="HubException"/> with the rule's message; anything else is a bug, logged
/// here and reported without internals. Either way the connection stays open.
/// </summary>
public sealed partial class HubErrors(ILogger<HubErrors> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (LiveRuleException e)
        {
            throw new HubException(e.Message);
        }
        catch (Exception e) when (e is not HubException and not OperationCanceledException)
        {
            LogUnexpected(logger, e, invocationContext.HubMethodName);
            throw new HubException("Something went wrong on the server and the call was not carried out. Try again.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed unexpectedly.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);
}
