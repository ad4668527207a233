namespace SessionRoom.Core.Studies;

/// <summary>Field-keyed messages collected while checking input; keys follow the JSON path (<c>prompts[2].options</c>).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            list = [];
            _errors[field] = list;
        }
        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public IEnumerable<string> For(string field) =>
        _errors.TryGetValue(field, out var list) ? list : Enumerable.Empty<string>();

    /// <summary>Throws <see cref="InputException"/> when anything was collected.</summary>
    public void ThrowIfAny()
    {
        if (!IsEmpty)
        {
            throw new InputException(this);
        }
    }
}

/// <summary>Input that breaks a rule of the contract. Mapped to 400 problem details over HTTP.</summary>
public sealed class InputException(ValidationErrors errors)
    : Exception("The input is not valid: " + string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value)))
{
    public ValidationErrors Errors { get; } = errors;

    public static InputException For(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return new InputException(errors);
    }
}

/// <summary>Something the caller named does not exist (or is not theirs to see). Mapped to 404.</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>The request is well-formed but conflicts with the current state (e.g. editing a live session's guide). Mapped to 409.</summary>
public sealed class ConflictException(string message) : Exception(message);
