<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
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
</TS>
