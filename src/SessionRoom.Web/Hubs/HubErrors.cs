using Microsoft.AspNetCore.SignalR;
using System.Data.Common;
using SessionRoom.Core.Live;
using SessionRoom.Data;

namespace SessionRoom.Web.Hubs;

/// <summary>
/// Maps what a hub method throws to what its caller reads, in one place: a refusal by the rules
/// becomes a <see cref="HubException"/> with the rule's message; the database being locked, full or
/// unavailable (writes report it through the event writer, reads here) is told as such and logged as
/// a warning; anything else is a bug, logged here and reported without internals. Either way the
/// connection stays open.
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
        catch (DbException e) when (Db.IsUnavailable(e))
        {
            LogStoreUnavailable(logger, e, invocationContext.HubMethodName, Db.ErrorCode(e));
            throw new HubException(StoreUnavailable);
        }
        catch (DbException e) when (Db.IsConflict(e))
        {
            throw new HubException(Db.ConflictMessage);
        }
        catch (Exception e) when (e is not HubException and not OperationCanceledException)
        {
            LogUnexpected(logger, e, invocationContext.HubMethodName);
            throw new HubException("Something went wrong on the server and the call was not carried out. Try again.");
        }
    }

    public const string StoreUnavailable =
        "The session's data could not be read just now: the server's database is busy or unavailable. Nothing was changed; try again in a moment.";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub method {Method} could not reach the database (database error {Code}); the caller was told to try again.")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string method, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed unexpectedly.")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);
}
