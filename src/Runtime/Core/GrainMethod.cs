using System.Linq.Expressions;
using System.Reflection;

namespace Atelier.Runtime;

/// <summary>
/// One grain interface method with everything a call needs, computed once: a compiled invoker (no reflection per
/// call), the adapter that turns the runtime's <c>Task&lt;object?&gt;</c> into the declared return type, the
/// index of its <see cref="CancellationToken"/> parameter and its interleaving attributes.
/// </summary>
internal sealed class GrainMethod
{
    private GrainMethod(MethodInfo method, int index, Type? resultType, Func<object, object?[], Task<object?>> invoker, Func<Task<object?>, object> toReturnValue)
    {
        Method = method;
        Index = index;
        ResultType = resultType;
        Invoker = invoker;
        ToReturnValue = toReturnValue;
        var parameters = method.GetParameters();
        ParameterTypes = Array.ConvertAll(parameters, p => p.ParameterType);
        CancellationTokenIndex = Array.FindIndex(ParameterTypes, t => t == typeof(CancellationToken));
        AlwaysInterleave = method.IsDefined(typeof(AlwaysInterleaveAttribute), inherit: true);
        ReadOnly = method.IsDefined(typeof(ReadOnlyAttribute), inherit: true);
        Idempotent = method.IsDefined(typeof(IdempotentAttribute), inherit: true);
    }

    public MethodInfo Method { get; }

    /// <summary>Position in <see cref="GrainInterfaceInfo.Methods"/>; what travels on the wire.</summary>
    public int Index { get; }

    /// <summary>The result type, or null for <see cref="Task"/>/<see cref="ValueTask"/>.</summary>
    public Type? ResultType { get; }

    public Type[] ParameterTypes { get; }

    /// <summary>Index of the <see cref="CancellationToken"/> parameter, or -1.</summary>
    public int CancellationTokenIndex { get; }

    public bool AlwaysInterleave { get; }

    public bool ReadOnly { get; }

    /// <summary>Marked <see cref="IdempotentAttribute"/>: may be sent again after the silo it was in flight to died.</summary>
    public bool Idempotent { get; }

    /// <summary>Calls the method on a grain instance.</summary>
    public Func<object, object?[], Task<object?>> Invoker { get; }

    /// <summary>Converts the runtime's result task to what the interface method returns.</summary>
    public Func<Task<object?>, object> ToReturnValue { get; }

    public CancellationToken GetCancellationToken(object?[] arguments) =>
        CancellationTokenIndex >= 0 && arguments[CancellationTokenIndex] is CancellationToken token ? token : default;

    /// <summary>A stable signature used to order methods identically on every silo.</summary>
    public static string Signature(MethodInfo method) =>
        $"{method.DeclaringType!.FullName}.{method.Name}({string.Join(',', method.GetParameters().Select(p => p.ParameterType.FullName))})";

    public static GrainMethod Create(Type interfaceType, MethodInfo method, int index)
    {
        var returnType = method.ReturnType;
        string adapterName;
        Type? resultType = null;
        if (returnType == typeof(Task))
        {
            adapterName = nameof(Adapters.FromTask);
        }
        else if (returnType == typeof(ValueTask))
        {
            adapterName = nameof(Adapters.FromValueTask);
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            adapterName = nameof(Adapters.FromTaskOf);
            resultType = returnType.GetGenericArguments()[0];
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            adapterName = nameof(Adapters.FromValueTaskOf);
            resultType = returnType.GetGenericArguments()[0];
        }
        else
        {
            throw new InvalidOperationException(
                $"Grain method {interfaceType.FullName}.{method.Name} must return Task, Task<T>, ValueTask or ValueTask<T>.");
        }

        if (method.IsGenericMethodDefinition)
        {
            throw new InvalidOperationException($"Grain method {interfaceType.FullName}.{method.Name} cannot be generic.");
        }

        if (method.GetParameters().Any(p => p.ParameterType.IsByRef))
        {
            throw new InvalidOperationException($"Grain method {interfaceType.FullName}.{method.Name} cannot have ref/out parameters.");
        }

        var adapter = typeof(Adapters).GetMethod(adapterName, BindingFlags.Static | BindingFlags.Public)!;
        if (resultType is not null)
        {
            adapter = adapter.MakeGenericMethod(resultType);
        }

        // (object grain, object?[] args) => Adapters.FromX(((IFoo)grain).Method((T0)args[0], ...))
        var grain = Expression.Parameter(typeof(object), "grain");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var parameters = method.GetParameters();
        var arguments = new Expression[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            arguments[i] = Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), parameters[i].ParameterType);
        }

        var call = Expression.Call(Expression.Convert(grain, interfaceType), method, arguments);
        var invoker = Expression.Lambda<Func<object, object?[], Task<object?>>>(Expression.Call(adapter, call), grain, args).Compile();

        Func<Task<object?>, object> toReturnValue;
        if (returnType == typeof(Task))
        {
            toReturnValue = Adapters.ToTask;
        }
        else if (returnType == typeof(ValueTask))
        {
            toReturnValue = Adapters.ToValueTask;
        }
        else
        {
            var name = returnType.GetGenericTypeDefinition() == typeof(Task<>) ? nameof(Adapters.ToTaskOf) : nameof(Adapters.ToValueTaskOf);
            toReturnValue = typeof(Adapters).GetMethod(name, BindingFlags.Static | BindingFlags.Public)!
                .MakeGenericMethod(resultType!).CreateDelegate<Func<Task<object?>, object>>();
        }

        return new GrainMethod(method, index, resultType, invoker, toReturnValue);
    }

    /// <summary>Conversions between typed grain tasks and the runtime's <c>Task&lt;object?&gt;</c>, with sync fast paths.</summary>
    internal static class Adapters
    {
        private static readonly Task<object?> CompletedNull = Task.FromResult<object?>(null);

        public static Task<object?> FromTask(Task task) => task.IsCompletedSuccessfully ? CompletedNull : AwaitTask(task);

        public static Task<object?> FromValueTask(ValueTask task) => task.IsCompletedSuccessfully ? CompletedNull : AwaitTask(task.AsTask());

        public static Task<object?> FromTaskOf<T>(Task<T> task) =>
            task.IsCompletedSuccessfully ? Task.FromResult<object?>(task.Result) : AwaitTaskOf(task);

        public static Task<object?> FromValueTaskOf<T>(ValueTask<T> task) =>
            task.IsCompletedSuccessfully ? Task.FromResult<object?>(task.Result) : AwaitTaskOf(task.AsTask());

        public static object ToTask(Task<object?> task) => task;

        public static object ToValueTask(Task<object?> task) => new ValueTask(task);

        public static object ToTaskOf<T>(Task<object?> task) =>
            task.IsCompletedSuccessfully ? Task.FromResult((T)task.Result!) : AwaitResult<T>(task);

        public static object ToValueTaskOf<T>(Task<object?> task) =>
            task.IsCompletedSuccessfully ? new ValueTask<T>((T)task.Result!) : new ValueTask<T>(AwaitResult<T>(task));

        private static async Task<object?> AwaitTask(Task task)
        {
            await task.ConfigureAwait(false);
            return null;
        }

        private static async Task<object?> AwaitTaskOf<T>(Task<T> task) => await task.ConfigureAwait(false);

        private static async Task<T> AwaitResult<T>(Task<object?> task) => (T)(await task.ConfigureAwait(false))!;
    }
}
