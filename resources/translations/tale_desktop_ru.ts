<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
<context>
    <name>LanguagePicker</name>
    <message>
        <source>Interface language</source>
        <translation>Язык интерфейса</translation>
    </message>
    <message>
        <source>Like the system ({language})</source>
        <translation>Как в системе ({language})</translation>
    </message>
    <message>
        <source>Restart now</source>
        <translation>Перезапустить</translation>
    </message>
    <message>
        <source>Save the language and start Tale Desktop again</source>
        <translation>Сохранить язык и запустить Tale Desktop заново</translation>
    </message>
    <message>
        <source>Set by the environment variable TALE_LANGUAGE.</source>
        <translation>Задаётся переменной окружения TALE_LANGUAGE.</translation>
    </message>
    <message>
        <source>The new language is used after Tale Desktop restarts.</source>
        <translation>Новый язык включится после перезапуска Tale Desktop.</translation>
    </message>
    <message>
        <source>New stories are written in this language unless you choose another.</source>
        <translation>Новые сказки сочиняются на этом языке, если не выбрать другой.</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>{app} cannot open the library</source>
        <translation>{app} не может открыть библиотеку</translation>
    </message>
    <message>
        <source>Nothing was changed. Fix the problem above and start Tale Desktop again.</source>
        <translation>Ничего не изменилось. Устраните причину и запустите Tale Desktop снова.</translation>
    </message>
    <message>
        <source>Starter content</source>
        <translation>Стартовые сказки</translation>
    </message>
    <message>
        <source>The built-in heroes and starter stories could not be installed. Details were written to the log.</source>
        <translation>Не удалось добавить встроенных героев и стартовые сказки. Подробности записаны в журнал.</translation>
    </message>
</context>
<context>
    <name>formatting</name>
    <message>
        <source>just now</source>
        <translation>только что</translation>
    </message>
    <message>
        <source>{minutes} min ago</source>
        <translation>{minutes} мин назад</translation>
    </message>
    <message>
        <source>{hours} h ago</source>
        <translation>{hours} ч назад</translation>
    </message>
</context>
</TS>
