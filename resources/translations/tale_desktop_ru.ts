<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
<context>
    <name>AccountSection</name>
    <message>
        <source>anon public key</source>
        <translation>анонимный публичный ключ</translation>
    </message>
    <message>
        <source>Project address</source>
        <translation>Адрес проекта</translation>
    </message>
    <message>
        <source>Anon key</source>
        <translation>Анонимный ключ</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Эл. почта</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <source>Checking the account…</source>
        <translation>Проверяем учётную запись…</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Войти</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Выйти</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Синхронизировать</translation>
    </message>
    <message>
        <source>Checking the Supabase account</source>
        <translation>Проверяем учётную запись Supabase</translation>
    </message>
    <message>
        <source>Could not check the account: {0}</source>
        <translation>Не удалось проверить учётную запись: {0}</translation>
    </message>
    <message>
        <source>Signed in as {0}. The library syncs in the background.</source>
        <translation>Вы вошли как {0}. Библиотека синхронизируется в фоне.</translation>
    </message>
    <message>
        <source>Not signed in. Sign in with your Supabase account to sync this library with the family&apos;s other devices.</source>
        <translation>Вход не выполнен. Войдите в учётную запись Supabase, чтобы библиотека синхронизировалась с другими устройствами семьи.</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Синхронизируем…</translation>
    </message>
    <message>
        <source>Last sync: {0}</source>
        <translation>Последняя синхронизация: {0}</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Нет связи</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Ошибка</translation>
    </message>
    <message>
        <source>Enter the email and password of your Supabase account.</source>
        <translation>Введите адрес эл. почты и пароль учётной записи Supabase.</translation>
    </message>
    <message>
        <source>Enter the project URL and anon key first (Project Settings → API).</source>
        <translation>Сначала укажите адрес проекта и анонимный ключ (Project Settings → API).</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Входим…</translation>
    </message>
    <message>
        <source>Signing in to Supabase</source>
        <translation>Вход в Supabase</translation>
    </message>
    <message>
        <source>Signing out of Supabase</source>
        <translation>Выход из Supabase</translation>
    </message>
</context>
<context>
    <name>AppearancePage</name>
    <message>
        <source>Appearance</source>
        <translation>Оформление</translation>
    </message>
    <message>
        <source>How the window looks. The night theme is dark and soft for reading in a dim bedroom.</source>
        <translation>Как выглядит окно. Ночное оформление тёмное и мягкое — для чтения в полутёмной спальне.</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Оформление</translation>
    </message>
    <message>
        <source>As the system (light by day, dark at night)</source>
        <translation>Как в системе (днём светлое, ночью тёмное)</translation>
    </message>
    <message>
        <source>Day: warm and light</source>
        <translation>Дневное: тёплое и светлое</translation>
    </message>
    <message>
        <source>Night: dark, warm and low contrast</source>
        <translation>Ночное: тёмное, тёплое и неконтрастное</translation>
    </message>
    <message>
        <source>The environment variable {0} chooses the theme when the app starts.</source>
        <translation>Оформление при запуске задаёт переменная окружения {0}.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
</context>
<context>
    <name>BedtimeControls</name>
    <message>
        <source>Listening</source>
        <translation>Слушаем</translation>
    </message>
    <message>
        <source>Sleep timer off</source>
        <translation>Таймер сна выключен</translation>
    </message>
    <message>
        <source>At the end of this story</source>
        <translation>В конце этой сказки</translation>
    </message>
    <message>
        <source>At the end of tonight&apos;s queue</source>
        <translation>В конце вечерней очереди</translation>
    </message>
    <message>
        <source>In {0} minutes</source>
        <translation>Через {0} мин</translation>
    </message>
    <message>
        <source>+5 min</source>
        <translation>+5 мин</translation>
    </message>
    <message>
        <source>Five more minutes before the sleep timer stops</source>
        <translation>Ещё пять минут до остановки по таймеру сна</translation>
    </message>
    <message>
        <source>Bedtime mode</source>
        <translation>Режим сна</translation>
    </message>
    <message>
        <source>Dim full screen with large text that follows the voice</source>
        <translation>Приглушённый полный экран с крупным текстом, который идёт за голосом</translation>
    </message>
    <message>
        <source>Leave bedtime mode</source>
        <translation>Выйти из режима сна</translation>
    </message>
    <message>
        <source>Tonight&apos;s queue</source>
        <translation>Очередь на вечер</translation>
    </message>
    <message>
        <source>Show or hide tonight&apos;s queue and the soft sound</source>
        <translation>Показать или скрыть очередь на вечер и тихий звук</translation>
    </message>
    <message>
        <source>Add to tonight&apos;s queue</source>
        <translation>Добавить в очередь на вечер</translation>
    </message>
    <message>
        <source>Queue the selected stories for tonight</source>
        <translation>Поставить выбранные сказки в очередь на вечер</translation>
    </message>
    <message>
        <source>Play all</source>
        <translation>Слушать все</translation>
    </message>
    <message>
        <source>Play tonight&apos;s queue in order, from the top</source>
        <translation>Слушать очередь на вечер по порядку, с начала</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Убрать</translation>
    </message>
    <message>
        <source>Take the chosen story out of tonight&apos;s queue</source>
        <translation>Убрать выбранную сказку из очереди на вечер</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Очистить</translation>
    </message>
    <message>
        <source>Empty tonight&apos;s queue</source>
        <translation>Очистить очередь на вечер</translation>
    </message>
    <message>
        <source>Next story</source>
        <translation>Следующая сказка</translation>
    </message>
    <message>
        <source>Previous story</source>
        <translation>Предыдущая сказка</translation>
    </message>
    <message>
        <source>Tonight</source>
        <translation>На вечер</translation>
    </message>
    <message>
        <source>Sleep timer</source>
        <translation>Таймер сна</translation>
    </message>
    <message>
        <source>Tale Desktop</source>
        <translation>Tale Desktop</translation>
    </message>
    <message>
        <source>Show the window</source>
        <translation>Показать окно</translation>
    </message>
    <message>
        <source>Sleep</source>
        <translation>Сон</translation>
    </message>
    <message>
        <source>Sleep {0}</source>
        <translation>Сон {0}</translation>
    </message>
    <message>
        <source>Sleep: end of queue</source>
        <translation>Сон: в конце очереди</translation>
    </message>
    <message>
        <source>Sleep: end of story</source>
        <translation>Сон: в конце сказки</translation>
    </message>
    <message>
        <source>Tale Desktop — {0}</source>
        <translation>Tale Desktop — {0}</translation>
    </message>
    <message>
        <source>Opening the story</source>
        <translation>Открываем сказку</translation>
    </message>
    <message>
        <source>Finding the cover</source>
        <translation>Ищем обложку</translation>
    </message>
    <message>
        <source>Preparing the soft sound</source>
        <translation>Готовим тихий звук</translation>
    </message>
    <message>
        <source>Untitled story</source>
        <translation>Сказка без названия</translation>
    </message>
    <message>
        <source>Play all favourites of {0}</source>
        <translation>Слушать все любимые сказки: {0}</translation>
    </message>
</context>
<context>
    <name>BedtimeScreen</name>
    <message>
        <source>Bedtime</source>
        <translation>Перед сном</translation>
    </message>
</context>
<context>
    <name>ChildEditor</name>
    <message>
        <source>Girl</source>
        <translation>Девочка</translation>
    </message>
    <message>
        <source>Boy</source>
        <translation>Мальчик</translation>
    </message>
    <message>
        <source>Not specified</source>
        <translation>Не указан</translation>
    </message>
    <message>
        <source>New child</source>
        <translation>Новый ребёнок</translation>
    </message>
    <message>
        <source>Edit child</source>
        <translation>Изменить профиль ребёнка</translation>
    </message>
    <message>
        <source>e.g. Mia</source>
        <translation>например, Маша</translation>
    </message>
    <message>
        <source>Choose an age</source>
        <translation>Выберите возраст</translation>
    </message>
    <message>
        <source>e.g. dragons, space, baking</source>
        <translation>например: драконы, космос, выпечка</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Имя</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Возраст</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>Пол</translation>
    </message>
    <message>
        <source>Interests</source>
        <translation>Интересы</translation>
    </message>
    <message>
        <source>Separate with commas; 1 to {0}. Stories weave these in.</source>
        <translation>Через запятую, от 1 до {0}. Сказки будут о том, что интересно ребёнку.</translation>
    </message>
</context>
<context>
    <name>ChildrenPanel</name>
    <message>
        <source>No children yet. Add one so stories can be written for them.</source>
        <translation>Детей пока нет. Добавьте ребёнка, чтобы сочинять сказки для него.</translation>
    </message>
    <message>
        <source>Add child…</source>
        <translation>Добавить ребёнка…</translation>
    </message>
</context>
<context>
    <name>CloneVoiceDialog</name>
    <message>
        <source>Create a family voice</source>
        <translation>Создать семейный голос</translation>
    </message>
    <message>
        <source>A voice that sounds like a member of your family</source>
        <translation>Голос, похожий на голос кого-то из вашей семьи</translation>
    </message>
    <message>
        <source>e.g. Mum or Grandpa</source>
        <translation>например, Мама или Дедушка</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;What is uploaded:&lt;/b&gt; the recordings you choose below.&lt;/p&gt;&lt;p&gt;&lt;b&gt;To whom:&lt;/b&gt; ElevenLabs (ElevenLabs, Inc., elevenlabs.io). It keeps the recordings and the voice made from them on its servers, under its terms, on the ElevenLabs account whose key is in Settings.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Whose voice:&lt;/b&gt; only your own voice, or the voice of a family member who is the person speaking in every recording and has agreed to it. Never clone anyone else&apos;s voice.&lt;/p&gt;&lt;p&gt;You can delete the voice at any time here in Settings.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Что отправляется:&lt;/b&gt; записи, которые вы выберете ниже.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Кому:&lt;/b&gt; ElevenLabs (ElevenLabs, Inc., elevenlabs.io). Сервис хранит записи и созданный по ним голос на своих серверах, на своих условиях, в учётной записи ElevenLabs, ключ которой указан в настройках.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Чей голос:&lt;/b&gt; только ваш собственный или голос члена семьи, который говорит на каждой записи и дал на это согласие. Никогда не клонируйте чужой голос.&lt;/p&gt;&lt;p&gt;Голос можно удалить в любой момент здесь, в настройках.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Recordings to upload</source>
        <translation>Записи для отправки</translation>
    </message>
    <message>
        <source>No recordings yet. Add recordings of the speaker from files; a reading recorded with “Record my reading” is listed here too.</source>
        <translation>Записей пока нет. Добавьте записи голоса из файлов; чтение, записанное через «Записать моё чтение», тоже появится здесь.</translation>
    </message>
    <message>
        <source>Add recordings from files…</source>
        <translation>Добавить записи из файлов…</translation>
    </message>
    <message>
        <source>The person speaking in these recordings is me, or has agreed to have their voice cloned</source>
        <translation>На этих записях говорю я или человек, который согласился на клонирование своего голоса</translation>
    </message>
    <message>
        <source>Create the voice</source>
        <translation>Создать голос</translation>
    </message>
    <message>
        <source>Name of the voice</source>
        <translation>Название голоса</translation>
    </message>
    <message>
        <source>Recordings of the speaker (at least a minute in total; reading a story aloud works well):</source>
        <translation>Записи голоса (всего не меньше минуты; хорошо подходит сказка, прочитанная вслух):</translation>
    </message>
    <message>
        <source>a family member</source>
        <translation>член семьи</translation>
    </message>
    <message>
        <source>“{0}” read by {1} ({2})</source>
        <translation>«{0}» читает {1} ({2})</translation>
    </message>
    <message>
        <source>Finding your recordings</source>
        <translation>Ищем ваши записи</translation>
    </message>
    <message>
        <source>Choose recordings of the speaker</source>
        <translation>Выберите записи голоса</translation>
    </message>
    <message>
        <source>Recordings ({0})</source>
        <translation>Записи ({0})</translation>
    </message>
    <message>
        <source>Reading {0}</source>
        <translation>Читаем файл {0}</translation>
    </message>
    <message>
        <source>Chosen: {0}. That is enough for a voice.</source>
        <translation>Выбрано: {0}. Этого достаточно для голоса.</translation>
    </message>
    <message>
        <source>Chosen: {0}. A family voice needs at least a minute of recordings.</source>
        <translation>Выбрано: {0}. Для семейного голоса нужно не меньше минуты записей.</translation>
    </message>
    <message>
        <source>Give the voice a name, such as Mum or Grandpa.</source>
        <translation>Дайте голосу название, например Мама или Дедушка.</translation>
    </message>
    <message>
        <source>Choose at least a minute of recordings in total; these last {0}.</source>
        <translation>Выберите записи общей длиной не меньше минуты; сейчас выбрано {0}.</translation>
    </message>
    <message>
        <source>Tick the box to confirm that the person speaking agreed. Nothing is uploaded without it.</source>
        <translation>Отметьте галочку, чтобы подтвердить согласие говорящего. Без неё ничего не отправляется.</translation>
    </message>
    <message>
        <source>Creating the voice…</source>
        <translation>Создаём голос…</translation>
    </message>
    <message>
        <source>Making the family voice “{0}”</source>
        <translation>Создаём семейный голос «{0}»</translation>
    </message>
</context>
<context>
    <name>ComposeForm</name>
    <message>
        <source>In my own words…</source>
        <translation>Своими словами…</translation>
    </message>
    <message>
        <source>e.g. It is fine to ask for help</source>
        <translation>например: просить о помощи — это нормально</translation>
    </message>
    <message>
        <source>Any theme</source>
        <translation>Любая тема</translation>
    </message>
    <message>
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <source>No, a new story</source>
        <translation>Нет, новая сказка</translation>
    </message>
    <message>
        <source>Write the story</source>
        <translation>Сочинить сказку</translation>
    </message>
    <message>
        <source>Write a new story with these choices (Ctrl+Enter)</source>
        <translation>Сочинить новую сказку с этими настройками (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Child</source>
        <translation>Ребёнок</translation>
    </message>
    <message>
        <source>Hero</source>
        <translation>Герой</translation>
    </message>
    <message>
        <source>Kind of story</source>
        <translation>О ком сказка</translation>
    </message>
    <message>
        <source>Listener&apos;s age</source>
        <translation>Возраст слушателя</translation>
    </message>
    <message>
        <source>Moral</source>
        <translation>Мораль</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Тема</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Длина</translation>
    </message>
    <message>
        <source>Continue a story</source>
        <translation>Продолжить сказку</translation>
    </message>
    <message>
        <source>Pictures</source>
        <translation>Картинки</translation>
    </message>
    <message>
        <source>New story</source>
        <translation>Новая сказка</translation>
    </message>
    <message>
        <source>Loading profiles</source>
        <translation>Загружаем профили</translation>
    </message>
    <message>
        <source>No child</source>
        <translation>Без ребёнка</translation>
    </message>
    <message>
        <source>No hero</source>
        <translation>Без героя</translation>
    </message>
    <message>
        <source>Untitled story</source>
        <translation>Сказка без названия</translation>
    </message>
    <message>
        <source>about {0} words</source>
        <translation>около {0} слов</translation>
    </message>
    <message>
        <source>Choose a child or a hero for the story (or add one first).</source>
        <translation>Выберите ребёнка или героя для сказки (или сначала добавьте их).</translation>
    </message>
    <message>
        <source>Write the moral in your own words, or pick one.</source>
        <translation>Напишите мораль своими словами или выберите из списка.</translation>
    </message>
</context>
<context>
    <name>CoverThumbnails</name>
    <message>
        <source>Drawing covers</source>
        <translation>Рисуем обложки</translation>
    </message>
</context>
<context>
    <name>FamilyVoicesSection</name>
    <message>
        <source>A family voice reads any story in the voice of someone the children know. It is made by ElevenLabs from at least a minute of that person&apos;s own recordings.</source>
        <translation>Семейный голос читает любую сказку голосом близкого детям человека. ElevenLabs создаёт его по записям этого человека общей длиной не меньше минуты.</translation>
    </message>
    <message>
        <source>Create a family voice…</source>
        <translation>Создать семейный голос…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Delete the voice {0}</source>
        <translation>Удалить голос {0}</translation>
    </message>
    <message>
        <source>Loading the voices…</source>
        <translation>Загружаем голоса…</translation>
    </message>
    <message>
        <source>Family voices need an ElevenLabs key (above).</source>
        <translation>Для семейных голосов нужен ключ ElevenLabs (выше).</translation>
    </message>
    <message>
        <source>No family voices yet.</source>
        <translation>Семейных голосов пока нет.</translation>
    </message>
    <message>
        <source>Delete the voice “{0}”?</source>
        <translation>Удалить голос «{0}»?</translation>
    </message>
    <message>
        <source>The voice is deleted from your ElevenLabs account. Stories already narrated with it keep their audio.</source>
        <translation>Голос будет удалён из вашей учётной записи ElevenLabs. У сказок, уже озвученных этим голосом, озвучка сохранится.</translation>
    </message>
    <message>
        <source>The voice was not deleted</source>
        <translation>Голос не удалён</translation>
    </message>
    <message>
        <source>Deleting the voice “{0}”</source>
        <translation>Удаляем голос «{0}»</translation>
    </message>
</context>
<context>
    <name>FirstRunBanner</name>
    <message>
        <source>Welcome to Tale Desktop</source>
        <translation>Добро пожаловать в Tale Desktop</translation>
    </message>
    <message>
        <source>Open Settings…</source>
        <translation>Открыть настройки…</translation>
    </message>
    <message>
        <source>Hide until the next start</source>
        <translation>Скрыть до следующего запуска</translation>
    </message>
    <message>
        <source>Hide the welcome message</source>
        <translation>Скрыть приветствие</translation>
    </message>
</context>
<context>
    <name>HeroEditor</name>
    <message>
        <source>Female</source>
        <translation>Женский</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Мужской</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Другой</translation>
    </message>
    <message>
        <source>New hero</source>
        <translation>Новый герой</translation>
    </message>
    <message>
        <source>Edit hero</source>
        <translation>Изменить героя</translation>
    </message>
    <message>
        <source>e.g. Captain Whiskers</source>
        <translation>например, Капитан Усатик</translation>
    </message>
    <message>
        <source>What the hero looks like</source>
        <translation>Как выглядит герой</translation>
    </message>
    <message>
        <source>e.g. brave, curious, kind</source>
        <translation>например: смелый, любопытный, добрый</translation>
    </message>
    <message>
        <source>optional, e.g. maps, stars</source>
        <translation>по желанию, например: карты, звёзды</translation>
    </message>
    <message>
        <source>e.g. never gives up</source>
        <translation>например, никогда не сдаётся</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Имя</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>Пол</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>Stories with this hero are told in this language.</source>
        <translation>Сказки с этим героем рассказываются на этом языке.</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Внешность</translation>
    </message>
    <message>
        <source>Personality</source>
        <translation>Характер</translation>
    </message>
    <message>
        <source>Comma-separated traits (at least one).</source>
        <translation>Черты характера через запятую (хотя бы одна).</translation>
    </message>
    <message>
        <source>Interests</source>
        <translation>Интересы</translation>
    </message>
    <message>
        <source>Strengths</source>
        <translation>Сильные стороны</translation>
    </message>
    <message>
        <source>Comma-separated (at least one).</source>
        <translation>Через запятую (хотя бы одна).</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Copy as my own hero</source>
        <translation>Скопировать как своего героя</translation>
    </message>
    <message>
        <source>Built-in heroes cannot be changed. Copy this one to make your own version.</source>
        <translation>Встроенных героев изменить нельзя. Скопируйте героя, чтобы сделать свою версию.</translation>
    </message>
</context>
<context>
    <name>HeroesPanel</name>
    <message>
        <source>built-in</source>
        <translation>встроенный</translation>
    </message>
    <message>
        <source>No heroes yet.</source>
        <translation>Героев пока нет.</translation>
    </message>
    <message>
        <source>Add hero…</source>
        <translation>Добавить героя…</translation>
    </message>
    <message>
        <source>Copy…</source>
        <translation>Копировать…</translation>
    </message>
    <message>
        <source>Make your own editable copy of this hero</source>
        <translation>Сделать свою копию этого героя, которую можно изменять</translation>
    </message>
    <message>
        <source>View…</source>
        <translation>Открыть…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Изменить…</translation>
    </message>
    <message>
        <source>Built-in heroes cannot be deleted</source>
        <translation>Встроенных героев удалить нельзя</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Chosen from who is in it</source>
        <translation>По выбранным героям</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Любая</translation>
    </message>
</context>
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
    <name>LibraryFilterBar</name>
    <message>
        <source>Search titles, text and names…</source>
        <translation>Поиск по названиям, тексту и именам…</translation>
    </message>
    <message>
        <source>Search stories</source>
        <translation>Поиск сказок</translation>
    </message>
    <message>
        <source>Search the stories (Ctrl+F)</source>
        <translation>Поиск по сказкам (Ctrl+F)</translation>
    </message>
    <message>
        <source>Child</source>
        <translation>Ребёнок</translation>
    </message>
    <message>
        <source>All children</source>
        <translation>Все дети</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Все</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Дата</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Название</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Оценка</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Длина</translation>
    </message>
    <message>
        <source>Not read yet</source>
        <translation>Ещё не прочитанные</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Прочитанные</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>В архиве</translation>
    </message>
    <message>
        <source>Unfinished drafts</source>
        <translation>Незаконченные черновики</translation>
    </message>
    <message>
        <source>Lowest rating</source>
        <translation>Оценка не ниже</translation>
    </message>
    <message>
        <source>★ {0} or more</source>
        <translation>★ {0} и выше</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <source>Favourites only</source>
        <translation>Только избранные</translation>
    </message>
    <message>
        <source>Only stories with audio</source>
        <translation>Только с озвучкой</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Сортировка</translation>
    </message>
    <message>
        <source>Sort direction</source>
        <translation>Порядок сортировки</translation>
    </message>
    <message>
        <source>Show or hide the filters</source>
        <translation>Показать или скрыть фильтры</translation>
    </message>
    <message>
        <source>Clear the filters</source>
        <translation>Сбросить фильтры</translation>
    </message>
    <message>
        <source>Oldest / A–Z / lowest / shortest first</source>
        <translation>Сначала старые / А–Я / низкие / короткие</translation>
    </message>
    <message>
        <source>Newest / Z–A / highest / longest first</source>
        <translation>Сначала новые / Я–А / высокие / длинные</translation>
    </message>
    <message>
        <source>Filters ({0})</source>
        <translation>Фильтры ({0})</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Фильтры</translation>
    </message>
    <message>
        <source>Filter by child, language, rating, status…</source>
        <translation>Отбор по ребёнку, языку, оценке, статусу…</translation>
    </message>
</context>
<context>
    <name>LibrarySearch</name>
    <message>
        <source>Searching the library</source>
        <translation>Ищем в библиотеке</translation>
    </message>
    <message>
        <source>Loading children</source>
        <translation>Загружаем детей</translation>
    </message>
</context>
<context>
    <name>LibraryView</name>
    <message>
        <source>Stories</source>
        <translation>Сказки</translation>
    </message>
    <message>
        <source>No stories yet.</source>
        <translation>Сказок пока нет.</translation>
    </message>
    <message>
        <source>No stories match.</source>
        <translation>Подходящих сказок нет.</translation>
    </message>
    <message>
        <source>No stories yet. The starter stories appear here once the library is ready.</source>
        <translation>Сказок пока нет. Стартовые сказки появятся здесь, когда библиотека будет готова.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Library</source>
        <translation>Библиотека</translation>
    </message>
    <message>
        <source>Children</source>
        <translation>Дети</translation>
    </message>
    <message>
        <source>Heroes</source>
        <translation>Герои</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Задачи</translation>
    </message>
    <message>
        <source>Stories</source>
        <translation>Сказки</translation>
    </message>
    <message>
        <source>New story…</source>
        <translation>Новая сказка…</translation>
    </message>
    <message>
        <source>Write a new bedtime story</source>
        <translation>Сочинить новую сказку на ночь</translation>
    </message>
    <message>
        <source>Continue this story…</source>
        <translation>Продолжить эту сказку…</translation>
    </message>
    <message>
        <source>Write what happens next, with the same child and hero</source>
        <translation>Сочинить продолжение с теми же ребёнком и героем</translation>
    </message>
    <message>
        <source>Write the story</source>
        <translation>Сочинить сказку</translation>
    </message>
    <message>
        <source>Opening the story to continue</source>
        <translation>Открываем сказку для продолжения</translation>
    </message>
    <message>
        <source>add an OpenRouter API key, or the address of a local story-writing server, to write new stories. The starter stories can be read right now.</source>
        <translation>чтобы сочинять новые сказки, добавьте ключ OpenRouter API или адрес локального сервера. Стартовые сказки можно читать уже сейчас.</translation>
    </message>
    <message>
        <source>Natural voices</source>
        <translation>Естественные голоса</translation>
    </message>
    <message>
        <source>an ElevenLabs key reads stories aloud with natural voices; the offline voice works without it.</source>
        <translation>с ключом ElevenLabs сказки читают естественные голоса; офлайн-голос работает и без него.</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Синхронизация</translation>
    </message>
    <message>
        <source>a Supabase project keeps your library in step across the family&apos;s devices (optional).</source>
        <translation>проект Supabase синхронизирует библиотеку между устройствами семьи (по желанию).</translation>
    </message>
    <message>
        <source>View</source>
        <translation>Вид</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Справка</translation>
    </message>
    <message>
        <source>New child…</source>
        <translation>Новый ребёнок…</translation>
    </message>
    <message>
        <source>Add a child&apos;s profile</source>
        <translation>Добавить профиль ребёнка</translation>
    </message>
    <message>
        <source>New hero…</source>
        <translation>Новый герой…</translation>
    </message>
    <message>
        <source>Add a hero for the stories</source>
        <translation>Добавить героя для сказок</translation>
    </message>
    <message>
        <source>Favourite</source>
        <translation>В избранное</translation>
    </message>
    <message>
        <source>Add to or remove from the favourites</source>
        <translation>Добавить в избранное или убрать из него</translation>
    </message>
    <message>
        <source>Rate {0}</source>
        <translation>Оценить на {0}</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Delete the story (you can undo it)</source>
        <translation>Удалить сказку (это можно отменить)</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Поиск</translation>
    </message>
    <message>
        <source>Search the library</source>
        <translation>Искать в библиотеке</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Настройки…</translation>
    </message>
    <message>
        <source>Keys, voices, appearance and account</source>
        <translation>Ключи, голоса, оформление и учётная запись</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выйти</translation>
    </message>
    <message>
        <source>Library pane</source>
        <translation>Панель библиотеки</translation>
    </message>
    <message>
        <source>Show or hide the library</source>
        <translation>Показать или скрыть библиотеку</translation>
    </message>
    <message>
        <source>Story details</source>
        <translation>Сведения о сказке</translation>
    </message>
    <message>
        <source>Show or hide the story&apos;s details above the text</source>
        <translation>Показать или скрыть сведения над текстом сказки</translation>
    </message>
    <message>
        <source>Full-screen reader</source>
        <translation>Чтение во весь экран</translation>
    </message>
    <message>
        <source>Only the story, on the whole screen</source>
        <translation>Только сказка, на весь экран</translation>
    </message>
    <message>
        <source>Leave full screen</source>
        <translation>Выйти из полноэкранного режима</translation>
    </message>
    <message>
        <source>Larger text</source>
        <translation>Увеличить текст</translation>
    </message>
    <message>
        <source>Smaller text</source>
        <translation>Уменьшить текст</translation>
    </message>
    <message>
        <source>Theme: as the system</source>
        <translation>Оформление: как в системе</translation>
    </message>
    <message>
        <source>Theme: day</source>
        <translation>Оформление: дневное</translation>
    </message>
    <message>
        <source>Theme: night</source>
        <translation>Оформление: ночное</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Сочетания клавиш</translation>
    </message>
    <message>
        <source>About {0}</source>
        <translation>О программе {0}</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Story</source>
        <translation>&amp;Сказка</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Оценить</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Вид</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Основная панель</translation>
    </message>
    <message>
        <source>Remove from favourites</source>
        <translation>Убрать из избранного</translation>
    </message>
    <message>
        <source>Add to favourites</source>
        <translation>Добавить в избранное</translation>
    </message>
    <message>
        <source>Checking the settings</source>
        <translation>Проверяем настройки</translation>
    </message>
    <message>
        <source>&lt;b&gt;{0}&lt;/b&gt; {1}&lt;br&gt;Personalized bedtime stories for your children.&lt;br&gt;&lt;br&gt;Library: {2}</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt; {1}&lt;br&gt;Сказки на ночь, придуманные для ваших детей.&lt;br&gt;&lt;br&gt;Библиотека: {2}</translation>
    </message>
    <message>
        <source>Rate 1 to 10</source>
        <translation>Оценка от 1 до 10</translation>
    </message>
    <message>
        <source>1 … 9, 0 for 10</source>
        <translation>1 … 9, 0 — это 10</translation>
    </message>
    <message>
        <source>Your new story</source>
        <translation>Ваша новая сказка</translation>
    </message>
    <message>
        <source>A story is ready</source>
        <translation>Сказка готова</translation>
    </message>
    <message>
        <source>“{0}” is ready to read.</source>
        <translation>«{0}» можно читать.</translation>
    </message>
    <message>
        <source>Opening the story</source>
        <translation>Открываем сказку</translation>
    </message>
    <message>
        <source>Loading the library…</source>
        <translation>Загружаем библиотеку…</translation>
    </message>
    <message>
        <source>Counting stories</source>
        <translation>Считаем сказки</translation>
    </message>
    <message>
        <source>Found {0}</source>
        <translation>Найдено: {0}</translation>
    </message>
    <message>
        <source>{0} in the library</source>
        <translation>В библиотеке: {0}</translation>
    </message>
    <message>
        <source>A story is still being written</source>
        <translation>Сказка ещё пишется</translation>
    </message>
    <message>
        <source>Quit anyway? What is written so far is kept as a draft in the library, and you can continue it later.</source>
        <translation>Всё равно выйти? Уже написанное сохранится в библиотеке как черновик, и его можно будет продолжить.</translation>
    </message>
    <message>
        <source>Keep writing</source>
        <translation>Продолжить писать</translation>
    </message>
</context>
<context>
    <name>NarrationControls</name>
    <message>
        <source>Listening</source>
        <translation>Слушаем</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Слушать</translation>
    </message>
    <message>
        <source>Space, Ctrl+P</source>
        <translation>Пробел, Ctrl+P</translation>
    </message>
    <message>
        <source>Listen to the story, or pause</source>
        <translation>Слушать сказку или поставить на паузу</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Стоп</translation>
    </message>
    <message>
        <source>Back 10 seconds</source>
        <translation>Назад на 10 секунд</translation>
    </message>
    <message>
        <source>Forward 10 seconds</source>
        <translation>Вперёд на 10 секунд</translation>
    </message>
    <message>
        <source>Narrate again with the offline voice</source>
        <translation>Озвучить заново офлайн-голосом</translation>
    </message>
    <message>
        <source>Narrate again with ElevenLabs</source>
        <translation>Озвучить заново через ElevenLabs</translation>
    </message>
    <message>
        <source>&amp;Listen</source>
        <translation>&amp;Слушать</translation>
    </message>
    <message>
        <source>Choose a story to listen to.</source>
        <translation>Выберите сказку, чтобы послушать.</translation>
    </message>
    <message>
        <source>Preparing the voice</source>
        <translation>Готовим голос</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Пауза</translation>
    </message>
</context>
<context>
    <name>NarrationPicker</name>
    <message>
        <source>Read by:</source>
        <translation>Читает:</translation>
    </message>
    <message>
        <source>Read by</source>
        <translation>Читает</translation>
    </message>
    <message>
        <source>Which reading of this story plays</source>
        <translation>Какая озвучка этой сказки звучит</translation>
    </message>
    <message>
        <source>{0} (family voice)</source>
        <translation>{0} (семейный голос)</translation>
    </message>
</context>
<context>
    <name>NewStoryPanel</name>
    <message>
        <source>← Back to the reader</source>
        <translation>← Назад к чтению</translation>
    </message>
    <message>
        <source>“{0}”</source>
        <translation>«{0}»</translation>
    </message>
    <message>
        <source>Writing “{0}”</source>
        <translation>Пишется «{0}»</translation>
    </message>
</context>
<context>
    <name>PictureChoices</name>
    <message>
        <source>Add pictures</source>
        <translation>Добавить картинки</translation>
    </message>
    <message>
        <source>Draw a cover and a few pictures once the story is written</source>
        <translation>Нарисовать обложку и несколько картинок, когда сказка будет готова</translation>
    </message>
    <message>
        <source>Illustration style</source>
        <translation>Стиль иллюстраций</translation>
    </message>
</context>
<context>
    <name>PicturesUi</name>
    <message>
        <source>Illustrate this story</source>
        <translation>Нарисовать картинки к сказке</translation>
    </message>
    <message>
        <source>Draw a cover and pictures for the story with the image model</source>
        <translation>Нарисовать обложку и картинки к сказке с помощью модели изображений</translation>
    </message>
    <message>
        <source>Redraw this picture</source>
        <translation>Перерисовать картинку</translation>
    </message>
    <message>
        <source>Draw this picture again</source>
        <translation>Нарисовать эту картинку заново</translation>
    </message>
    <message>
        <source>Checking the image model</source>
        <translation>Проверяем модель изображений</translation>
    </message>
    <message>
        <source>Pictures need the OpenRouter key (or a local server that draws). Add it in Settings; stories work without pictures.</source>
        <translation>Для картинок нужен ключ OpenRouter или свой сервер, который рисует (Настройки).</translation>
    </message>
    <message>
        <source>Pictures are off: no image model is set. Choose one in Settings, under How stories are written; stories work without pictures.</source>
        <translation>Картинки выключены: не выбрана модель изображений (Настройки → Как пишутся сказки).</translation>
    </message>
    <message>
        <source>Pictures for “{0}”</source>
        <translation>Картинки к «{0}»</translation>
    </message>
    <message>
        <source>Pictures for a story</source>
        <translation>Картинки к сказке</translation>
    </message>
    <message>
        <source>Opening the story</source>
        <translation>Открываем сказку</translation>
    </message>
    <message>
        <source>Drawing {0} pictures</source>
        <translation>Рисуем картинки: {0}</translation>
    </message>
    <message>
        <source>Drew {0} of {1} pictures</source>
        <translation>Нарисовано картинок: {0} из {1}</translation>
    </message>
    <message>
        <source>One picture was left out: the image model would not draw it.</source>
        <translation>Одна картинка пропущена: модель изображений не стала её рисовать.</translation>
    </message>
    <message>
        <source>The pictures could not all be drawn; the story and the pictures drawn so far are kept. Try again later.</source>
        <translation>Не все картинки удалось нарисовать; сказка и уже готовые картинки сохранены. Попробуйте позже.</translation>
    </message>
    <message>
        <source>This story has all its pictures. Right-click a picture to draw it again.</source>
        <translation>У этой сказки уже есть все картинки. Чтобы перерисовать картинку, щёлкните по ней правой кнопкой мыши.</translation>
    </message>
    <message>
        <source>Redrawing a picture for “{0}”</source>
        <translation>Перерисовываем картинку к «{0}»</translation>
    </message>
    <message>
        <source>Redrawing a picture</source>
        <translation>Перерисовываем картинку</translation>
    </message>
</context>
<context>
    <name>PlayerBar</name>
    <message>
        <source>Play (Space)</source>
        <translation>Слушать (Пробел)</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Слушать</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Стоп</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>Позиция</translation>
    </message>
    <message>
        <source>Click to jump there; ← and → step 10 seconds</source>
        <translation>Щёлкните, чтобы перейти к месту; ← и → — шаг 10 секунд</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>Скорость</translation>
    </message>
    <message>
        <source>Reading speed</source>
        <translation>Скорость чтения</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>Громкость</translation>
    </message>
    <message>
        <source>Sleep</source>
        <translation>Сон</translation>
    </message>
    <message>
        <source>Sleep timer: fade out and stop</source>
        <translation>Таймер сна: плавно затихнуть и остановиться</translation>
    </message>
    <message>
        <source>Sleep timer</source>
        <translation>Таймер сна</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Пауза</translation>
    </message>
    <message>
        <source>Pause (Space)</source>
        <translation>Пауза (Пробел)</translation>
    </message>
</context>
<context>
    <name>RatingControl</name>
    <message>
        <source>Rating</source>
        <translation>Оценка</translation>
    </message>
    <message>
        <source>Rate {0} of {1} (key {2})</source>
        <translation>Оценить на {0} из {1} (клавиша {2})</translation>
    </message>
    <message>
        <source>Rated {0} of {1}</source>
        <translation>Оценка {0} из {1}</translation>
    </message>
    <message>
        <source>Not rated</source>
        <translation>Без оценки</translation>
    </message>
</context>
<context>
    <name>ReaderPane</name>
    <message>
        <source>For {0}</source>
        <translation>Для: {0}</translation>
    </message>
    <message>
        <source>with {0}</source>
        <translation>Герой: {0}</translation>
    </message>
    <message>
        <source>about {0}</source>
        <translation>около {0}</translation>
    </message>
    <message>
        <source>unfinished draft</source>
        <translation>незаконченный черновик</translation>
    </message>
    <message>
        <source>Choose a story from the library to read it here.</source>
        <translation>Выберите сказку в библиотеке, чтобы прочитать её здесь.</translation>
    </message>
    <message>
        <source>Story text</source>
        <translation>Текст сказки</translation>
    </message>
    <message>
        <source>Opening the story</source>
        <translation>Открываем сказку</translation>
    </message>
    <message>
        <source>Untitled story</source>
        <translation>Сказка без названия</translation>
    </message>
</context>
<context>
    <name>ReaderPictures</name>
    <message>
        <source>Loading the pictures</source>
        <translation>Загружаем картинки</translation>
    </message>
</context>
<context>
    <name>ReadingPrompt</name>
    <message>
        <source>Story text to read aloud</source>
        <translation>Текст сказки для чтения вслух</translation>
    </message>
</context>
<context>
    <name>ReadyBanner</name>
    <message>
        <source>Open</source>
        <translation>Открыть</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Скрыть</translation>
    </message>
    <message>
        <source>“{0}” is ready to read.</source>
        <translation>«{0}» можно читать.</translation>
    </message>
</context>
<context>
    <name>RecordEditor</name>
    <message>
        <source>New</source>
        <translation>Новая запись</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Изменить</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source>Saving {0}</source>
        <translation>Сохраняем: {0}</translation>
    </message>
    <message>
        <source>Could not save</source>
        <translation>Не удалось сохранить</translation>
    </message>
</context>
<context>
    <name>RecorderPanel</name>
    <message>
        <source>Microphone level</source>
        <translation>Уровень микрофона</translation>
    </message>
    <message>
        <source>Record my reading</source>
        <translation>Записать моё чтение</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Пауза</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Стоп</translation>
    </message>
    <message>
        <source>Use a recording from a file…</source>
        <translation>Взять запись из файла…</translation>
    </message>
    <message>
        <source>No microphone was found on this computer, so a reading cannot be recorded here. You can import a recording made on a phone or another computer instead.</source>
        <translation>На этом компьютере не найден микрофон, поэтому записать чтение здесь нельзя. Вместо этого можно загрузить запись, сделанную на телефоне или другом компьютере.</translation>
    </message>
    <message>
        <source>Read the story aloud at your own pace; pauses are fine.</source>
        <translation>Читайте сказку вслух в своём темпе; паузы не страшны.</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Продолжить</translation>
    </message>
    <message>
        <source>The recording stopped because of a problem with the microphone.</source>
        <translation>Запись остановилась из-за проблемы с микрофоном.</translation>
    </message>
</context>
<context>
    <name>RecordingControls</name>
    <message>
        <source>Listening</source>
        <translation>Слушаем</translation>
    </message>
    <message>
        <source>Record my reading</source>
        <translation>Записать моё чтение</translation>
    </message>
    <message>
        <source>Read the story aloud: your recording becomes its narration, with the text highlighted</source>
        <translation>Прочитайте сказку вслух: ваша запись станет её озвучкой с подсветкой текста</translation>
    </message>
    <message>
        <source>Use a recording from a file…</source>
        <translation>Взять запись из файла…</translation>
    </message>
    <message>
        <source>A reading recorded on a phone or another computer becomes the story&apos;s narration</source>
        <translation>Чтение, записанное на телефоне или другом компьютере, станет озвучкой сказки</translation>
    </message>
    <message>
        <source>No microphone</source>
        <translation>Нет микрофона</translation>
    </message>
    <message>
        <source>No microphone was found on this computer, so your reading cannot be recorded here. You can use a recording made on a phone or another computer instead (m4a, mp3, wav, ogg or opus).</source>
        <translation>На этом компьютере не найден микрофон, поэтому записать ваше чтение здесь нельзя. Вместо этого можно взять запись, сделанную на телефоне или другом компьютере (m4a, mp3, wav, ogg или opus).</translation>
    </message>
    <message>
        <source>Use a recording of “{0}”</source>
        <translation>Взять запись для «{0}»</translation>
    </message>
    <message>
        <source>Recordings ({0})</source>
        <translation>Записи ({0})</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Все файлы (*)</translation>
    </message>
    <message>
        <source>Who is reading?</source>
        <translation>Кто читает?</translation>
    </message>
    <message>
        <source>Who reads in this recording? The name is shown when you choose which reading plays.</source>
        <translation>Кто читает на этой записи? Имя будет видно, когда вы выбираете, какая озвучка звучит.</translation>
    </message>
    <message>
        <source>Use the recording</source>
        <translation>Взять запись</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Семья</translation>
    </message>
    <message>
        <source>Untitled story</source>
        <translation>Сказка без названия</translation>
    </message>
    <message>
        <source>Lining the recording up with the text</source>
        <translation>Сверяем запись с текстом</translation>
    </message>
    <message>
        <source>{0}&apos;s reading of “{1}” is ready: it plays with the text highlighted.</source>
        <translation>Чтение «{1}» ({0}) готово: оно звучит с подсветкой текста.</translation>
    </message>
    <message>
        <source>A reading is ready</source>
        <translation>Чтение готово</translation>
    </message>
    <message>
        <source>“{0}” now plays in {1}&apos;s voice.</source>
        <translation>«{0}» теперь звучит голосом: {1}.</translation>
    </message>
    <message>
        <source>Adding your reading of “{0}”</source>
        <translation>Добавляем ваше чтение «{0}»</translation>
    </message>
    <message>
        <source>Finding the story&apos;s readings</source>
        <translation>Ищем озвучки сказки</translation>
    </message>
    <message>
        <source>Choosing the reading</source>
        <translation>Выбираем озвучку</translation>
    </message>
    <message>
        <source>Family voices</source>
        <translation>Семейные голоса</translation>
    </message>
    <message>
        <source>The family voice “{0}” is ready: choose it in Settings → Voices.</source>
        <translation>Семейный голос «{0}» готов: выберите его в разделе Настройки → Голоса.</translation>
    </message>
</context>
<context>
    <name>RecordingPage</name>
    <message>
        <source>Back to the story</source>
        <translation>Назад к сказке</translation>
    </message>
    <message>
        <source>Read the highlighted sentence. The highlight moves on at your pace; press “Next sentence” (or Space) or click a sentence to move it yourself. Pausing is fine.</source>
        <translation>Читайте выделенное предложение. Выделение движется в вашем темпе; чтобы передвинуть его самим, нажмите «Следующее предложение» (или пробел) или щёлкните по предложению. Паузы не страшны.</translation>
    </message>
    <message>
        <source>Previous sentence</source>
        <translation>Предыдущее предложение</translation>
    </message>
    <message>
        <source>Next sentence</source>
        <translation>Следующее предложение</translation>
    </message>
    <message>
        <source>Who is reading:</source>
        <translation>Кто читает:</translation>
    </message>
    <message>
        <source>e.g. Mum</source>
        <translation>например, Мама</translation>
    </message>
    <message>
        <source>Who is reading</source>
        <translation>Кто читает</translation>
    </message>
    <message>
        <source>Read “{0}” aloud</source>
        <translation>Читаем вслух «{0}»</translation>
    </message>
    <message>
        <source>Untitled story</source>
        <translation>Сказка без названия</translation>
    </message>
</context>
<context>
    <name>ServiceSection</name>
    <message>
        <source>Test</source>
        <translation>Проверить</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>Stories</source>
        <translation>Сказки</translation>
    </message>
    <message>
        <source>Writing new stories: the service that writes them and how each story is checked.</source>
        <translation>Сочинение новых сказок: какой сервис их пишет и как проверяется каждая сказка.</translation>
    </message>
    <message>
        <source>Voices</source>
        <translation>Голоса</translation>
    </message>
    <message>
        <source>Reading stories aloud.</source>
        <translation>Чтение сказок вслух.</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Учётная запись</translation>
    </message>
    <message>
        <source>Keep your library in step across the family&apos;s devices (optional).</source>
        <translation>Синхронизация библиотеки между устройствами семьи (по желанию).</translation>
    </message>
    <message>
        <source>Story service</source>
        <translation>Сервис сказок</translation>
    </message>
    <message>
        <source>Writing new stories needs an OpenRouter API key, or the address of a local story-writing server that speaks the OpenAI protocol (then no key is needed).</source>
        <translation>Чтобы сочинять новые сказки, нужен ключ OpenRouter API или адрес локального сервера, который понимает протокол OpenAI (тогда ключ не нужен).</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Ключ API</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Адрес сервера</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Модель</translation>
    </message>
    <message>
        <source>Natural voices (ElevenLabs)</source>
        <translation>Естественные голоса (ElevenLabs)</translation>
    </message>
    <message>
        <source>An ElevenLabs key gives natural narration voices. Without it, stories are read by the offline voice.</source>
        <translation>С ключом ElevenLabs сказки читают естественные голоса. Без него их читает офлайн-голос.</translation>
    </message>
    <message>
        <source>Sync (Supabase)</source>
        <translation>Синхронизация (Supabase)</translation>
    </message>
    <message>
        <source>A Supabase project keeps your library, profiles and audio in step across the family&apos;s devices.</source>
        <translation>Проект Supabase синхронизирует библиотеку, профили и озвучки между устройствами семьи.</translation>
    </message>
    <message>
        <source>Project address</source>
        <translation>Адрес проекта</translation>
    </message>
    <message>
        <source>Anon key</source>
        <translation>Анонимный ключ</translation>
    </message>
    <message>
        <source>Reading keys</source>
        <translation>Читаем ключи</translation>
    </message>
    <message>
        <source>Keys are kept in your system keyring, never in a file.</source>
        <translation>Ключи хранятся в системном хранилище паролей, а не в файле.</translation>
    </message>
    <message>
        <source>Keys are kept only until you close the app (the system keyring is turned off).</source>
        <translation>Ключи хранятся только до закрытия приложения (системное хранилище паролей отключено).</translation>
    </message>
    <message>
        <source>The address should start with https:// (or http:// for a server on this computer).</source>
        <translation>Адрес должен начинаться с https:// (или с http:// для сервера на этом компьютере).</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Загружаем…</translation>
    </message>
    <message>
        <source>Show the key</source>
        <translation>Показать ключ</translation>
    </message>
    <message>
        <source>Hide the key</source>
        <translation>Скрыть ключ</translation>
    </message>
    <message>
        <source>Set by the environment variable {0}; change it there.</source>
        <translation>Задаётся переменной окружения {0}; меняйте её там.</translation>
    </message>
    <message>
        <source>From the environment variable {0} (read-only here).</source>
        <translation>Из переменной окружения {0} (здесь только для чтения).</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Проверяем…</translation>
    </message>
    <message>
        <source>Testing {0}</source>
        <translation>Проверяем: {0}</translation>
    </message>
    <message>
        <source>Keys kept for this session only</source>
        <translation>Ключи хранятся только до закрытия приложения</translation>
    </message>
    <message>
        <source>Could not save the settings</source>
        <translation>Не удалось сохранить настройки</translation>
    </message>
    <message>
        <source>Saving settings</source>
        <translation>Сохраняем настройки</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Сочетания клавиш</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>Команда</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Клавиши</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Opening your library…</source>
        <translation>Открываем вашу библиотеку…</translation>
    </message>
</context>
<context>
    <name>StoryActions</name>
    <message>
        <source>Rate</source>
        <translation>Оценить</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Сохранить в файл</translation>
    </message>
</context>
<context>
    <name>StoryController</name>
    <message>
        <source>Opening the story</source>
        <translation>Открываем сказку</translation>
    </message>
</context>
<context>
    <name>StoryDelegate</name>
    <message>
        <source>Untitled story</source>
        <translation>Сказка без названия</translation>
    </message>
    <message>
        <source>rated {0} of 10</source>
        <translation>оценка {0} из 10</translation>
    </message>
    <message>
        <source>favourite</source>
        <translation>в избранном</translation>
    </message>
    <message>
        <source>has audio</source>
        <translation>есть озвучка</translation>
    </message>
</context>
<context>
    <name>StoryDetailsPanel</name>
    <message>
        <source>For</source>
        <translation>Для</translation>
    </message>
    <message>
        <source>Hero</source>
        <translation>Герой</translation>
    </message>
    <message>
        <source>Moral</source>
        <translation>Мораль</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Тема</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Длина</translation>
    </message>
    <message>
        <source>Words</source>
        <translation>Слов</translation>
    </message>
    <message>
        <source>Reading time</source>
        <translation>Время чтения</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Оценка</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <source>Whether the story was read</source>
        <translation>Прочитана ли сказка</translation>
    </message>
    <message>
        <source>Favourite (Ctrl+D)</source>
        <translation>Избранное (Ctrl+D)</translation>
    </message>
    <message>
        <source>← Previous part</source>
        <translation>← Предыдущая часть</translation>
    </message>
    <message>
        <source>Next part →</source>
        <translation>Следующая часть →</translation>
    </message>
    <message>
        <source>Opening the story</source>
        <translation>Открываем сказку</translation>
    </message>
    <message>
        <source>Loading the story</source>
        <translation>Загружаем сказку</translation>
    </message>
    <message>
        <source>♥ Favourite</source>
        <translation>♥ В избранном</translation>
    </message>
    <message>
        <source>♡ Add to favourites</source>
        <translation>♡ В избранное</translation>
    </message>
    <message>
        <source>Previous part: {0}</source>
        <translation>Предыдущая часть: {0}</translation>
    </message>
    <message>
        <source>Next part: {0}</source>
        <translation>Следующая часть: {0}</translation>
    </message>
    <message>
        <source>Rating the story</source>
        <translation>Ставим оценку</translation>
    </message>
    <message>
        <source>Changing the status</source>
        <translation>Меняем статус</translation>
    </message>
    <message>
        <source>Marking the favourite</source>
        <translation>Отмечаем избранное</translation>
    </message>
</context>
<context>
    <name>StorySettings</name>
    <message>
        <source>Load the model list</source>
        <translation>Загрузить список моделей</translation>
    </message>
    <message>
        <source>Type a model id, or load the server&apos;s list to pick one.</source>
        <translation>Введите название модели или загрузите список с сервера и выберите.</translation>
    </message>
    <message>
        <source>e.g. {0}</source>
        <translation>например: {0}</translation>
    </message>
    <message>
        <source>Tried in order when the main model is unknown or unavailable.</source>
        <translation>Пробуются по порядку, если основная модель неизвестна или недоступна.</translation>
    </message>
    <message>
        <source>Check each story for safety and quality</source>
        <translation>Проверять каждую сказку на безопасность и качество</translation>
    </message>
    <message>
        <source>The model that draws the pictures. Leave it empty for stories without pictures.</source>
        <translation>Модель, которая рисует картинки. Оставьте пустым, если картинки не нужны.</translation>
    </message>
    <message>
        <source>Set by the environment variable {0}; change it there.</source>
        <translation>Задаётся переменной окружения {0}; меняйте её там.</translation>
    </message>
    <message>
        <source>From the environment variable {0} (read-only here).</source>
        <translation>Из переменной окружения {0} (здесь только для чтения).</translation>
    </message>
    <message>
        <source>Pictures are drawn through the same server as the stories.</source>
        <translation>Картинки рисуются через тот же сервер, что и сказки.</translation>
    </message>
    <message>
        <source>A second pass reads each story and rewrites it when it falls short.</source>
        <translation>Второй проход перечитывает каждую сказку и переписывает её, если она не дотягивает.</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Модели</translation>
    </message>
    <message>
        <source>Other models to try</source>
        <translation>Запасные модели</translation>
    </message>
    <message>
        <source>Lowest good score</source>
        <translation>Минимальная хорошая оценка</translation>
    </message>
    <message>
        <source>Writing attempts</source>
        <translation>Попыток написания</translation>
    </message>
    <message>
        <source>Image model</source>
        <translation>Модель изображений</translation>
    </message>
    <message>
        <source>Illustration style</source>
        <translation>Стиль иллюстраций</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Загружаем…</translation>
    </message>
    <message>
        <source>{0} models available: pick one in Model, or type its name.</source>
        <translation>Доступно моделей: {0}. Выберите модель в поле «Модель» или введите её название.</translation>
    </message>
    <message>
        <source>Loading the model list</source>
        <translation>Загружаем список моделей</translation>
    </message>
    <message>
        <source>How stories are written</source>
        <translation>Как пишутся сказки</translation>
    </message>
</context>
<context>
    <name>StoryStreamView</name>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Open in the reader</source>
        <translation>Открыть для чтения</translation>
    </message>
    <message>
        <source>Open Settings…</source>
        <translation>Открыть настройки…</translation>
    </message>
    <message>
        <source>Your story will appear here</source>
        <translation>Здесь появится ваша сказка</translation>
    </message>
    <message>
        <source>Choose who the story is for, then press “Write the story”. You can watch it being written, or go back to the library: it is saved when it is done.</source>
        <translation>Выберите, для кого сказка, и нажмите «Сочинить сказку». Можно смотреть, как она пишется, или вернуться в библиотеку: готовая сказка сохранится сама.</translation>
    </message>
    <message>
        <source>Writing your story…</source>
        <translation>Сочиняем вашу сказку…</translation>
    </message>
    <message>
        <source>Stopping… what was written is kept as a draft.</source>
        <translation>Останавливаем… написанное сохранится как черновик.</translation>
    </message>
    <message>
        <source>Saved, but the safety review could not be done, so the story is flagged: please read it first.</source>
        <translation>Сохранено, но проверку безопасности провести не удалось, поэтому сказка помечена: пожалуйста, сначала прочитайте её сами.</translation>
    </message>
    <message>
        <source>Saved. The review had doubts about this story: please read it first.</source>
        <translation>Сохранено. При проверке возникли сомнения: пожалуйста, сначала прочитайте сказку сами.</translation>
    </message>
    <message>
        <source>Saved to your library.</source>
        <translation>Сохранено в библиотеке.</translation>
    </message>
    <message>
        <source>The story could not be written</source>
        <translation>Не удалось сочинить сказку</translation>
    </message>
    <message>
        <source>The story could not be written.</source>
        <translation>Не удалось сочинить сказку.</translation>
    </message>
    <message>
        <source>What was written so far is kept as a draft in your library.</source>
        <translation>Уже написанное сохранено в библиотеке как черновик.</translation>
    </message>
    <message>
        <source>Cancelled. What was written so far is kept as a draft in your library.</source>
        <translation>Отменено. Уже написанное сохранено в библиотеке как черновик.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Отменено.</translation>
    </message>
    <message>
        <source>Untitled story</source>
        <translation>Сказка без названия</translation>
    </message>
    <message>
        <source>{0} / {1} words</source>
        <translation>Написано слов: {0} из {1}</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <source>live</source>
        <translation>в реальном времени</translation>
    </message>
    <message>
        <source>Live updates: other devices&apos; changes arrive at once (Supabase Realtime).</source>
        <translation>Обновления в реальном времени: изменения с других устройств приходят сразу (Supabase Realtime).</translation>
    </message>
    <message>
        <source>checking often</source>
        <translation>частая проверка</translation>
    </message>
    <message>
        <source>Live updates: Supabase Realtime is unavailable, so this window checks for changes every few seconds.</source>
        <translation>Обновления: Supabase Realtime недоступен, поэтому окно проверяет изменения каждые несколько секунд.</translation>
    </message>
    <message>
        <source>Sync off</source>
        <translation>Синхронизация выключена</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Синхронизировано</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Синхронизируем…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Нет связи</translation>
    </message>
    <message>
        <source>Sync error</source>
        <translation>Ошибка синхронизации</translation>
    </message>
    <message>
        <source>never</source>
        <translation>ещё не было</translation>
    </message>
    <message>
        <source>Account: {0}</source>
        <translation>Учётная запись: {0}</translation>
    </message>
    <message>
        <source>Synced {0}</source>
        <translation>Синхронизировано: {0}</translation>
    </message>
    <message>
        <source>{0} · {1}</source>
        <translation>{0} · {1}</translation>
    </message>
    <message>
        <source>Last sync ({0}): {1}</source>
        <translation>Последняя синхронизация ({0}): {1}</translation>
    </message>
    <message>
        <source>Sign in to Supabase in Settings → Account to sync the library across your devices.</source>
        <translation>Войдите в Supabase в разделе «Настройки → Учётная запись», чтобы синхронизировать библиотеку между устройствами.</translation>
    </message>
    <message>
        <source>Click to sync now.</source>
        <translation>Нажмите, чтобы синхронизировать сейчас.</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Синхронизировать</translation>
    </message>
    <message>
        <source>Send this device&apos;s changes to Supabase and fetch the other devices&apos; changes</source>
        <translation>Отправить изменения с этого устройства в Supabase и получить изменения с других</translation>
    </message>
</context>
<context>
    <name>SyncWiring</name>
    <message>
        <source>Account (Supabase sync)</source>
        <translation>Учётная запись (синхронизация Supabase)</translation>
    </message>
    <message>
        <source>Reading the sync state</source>
        <translation>Читаем состояние синхронизации</translation>
    </message>
</context>
<context>
    <name>TaskRow</name>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Stop {0}</source>
        <translation>Остановить: {0}</translation>
    </message>
    <message>
        <source>Cancel {0}</source>
        <translation>Отменить: {0}</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Скрыть</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Готово</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Отменено</translation>
    </message>
    <message>
        <source>This did not work.</source>
        <translation>Не получилось.</translation>
    </message>
</context>
<context>
    <name>TasksPanel</name>
    <message>
        <source>Nothing is running.</source>
        <translation>Сейчас ничего не выполняется.</translation>
    </message>
</context>
<context>
    <name>TonightPanel</name>
    <message>
        <source>Tonight&apos;s stories</source>
        <translation>Сказки на вечер</translation>
    </message>
    <message>
        <source>Tonight&apos;s queue</source>
        <translation>Очередь на вечер</translation>
    </message>
    <message>
        <source>Drag stories here from the library, or choose “Add to tonight&apos;s queue” in a story&apos;s menu.</source>
        <translation>Перетащите сюда сказки из библиотеки или выберите «Добавить в очередь на вечер» в меню сказки.</translation>
    </message>
    <message>
        <source>Favourites of…</source>
        <translation>Любимые сказки…</translation>
    </message>
    <message>
        <source>Play all favourite stories of a child</source>
        <translation>Слушать все любимые сказки ребёнка</translation>
    </message>
    <message>
        <source>Soft sound</source>
        <translation>Тихий звук</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Выкл.</translation>
    </message>
    <message>
        <source>Sound volume</source>
        <translation>Громкость звука</translation>
    </message>
    <message>
        <source>Minutes of sound after the last story</source>
        <translation>Сколько минут звучать после последней сказки</translation>
    </message>
    <message>
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <source>Sound</source>
        <translation>Звук</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>Громкость</translation>
    </message>
    <message>
        <source>After the story</source>
        <translation>После сказки</translation>
    </message>
    <message>
        <source>Rain</source>
        <translation>Дождь</translation>
    </message>
    <message>
        <source>Sea</source>
        <translation>Море</translation>
    </message>
    <message>
        <source>Night crickets</source>
        <translation>Ночные сверчки</translation>
    </message>
    <message>
        <source>Crackling fire</source>
        <translation>Треск костра</translation>
    </message>
    <message>
        <source>White noise</source>
        <translation>Белый шум</translation>
    </message>
    <message>
        <source>Pink noise</source>
        <translation>Розовый шум</translation>
    </message>
    <message>
        <source>Brown noise</source>
        <translation>Коричневый шум</translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <source>Undo</source>
        <translation>Отменить</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Скрыть</translation>
    </message>
</context>
<context>
    <name>VoiceDirectory</name>
    <message>
        <source>Loading ElevenLabs voices</source>
        <translation>Загружаем голоса ElevenLabs</translation>
    </message>
</context>
<context>
    <name>VoiceSettings</name>
    <message>
        <source>The standard voice</source>
        <translation>Стандартный голос</translation>
    </message>
    <message>
        <source>Pick a voice after “Load my voices”, or paste a voice id from ElevenLabs</source>
        <translation>Выберите голос после «Загрузить мои голоса» или вставьте идентификатор голоса из ElevenLabs</translation>
    </message>
    <message>
        <source>English voice</source>
        <translation>Голос для английского</translation>
    </message>
    <message>
        <source>Russian voice</source>
        <translation>Голос для русского</translation>
    </message>
    <message>
        <source>Load my voices</source>
        <translation>Загрузить мои голоса</translation>
    </message>
    <message>
        <source>Fill the lists with the voices of your ElevenLabs account (uses the saved key)</source>
        <translation>Заполнить списки голосами вашей учётной записи ElevenLabs (по сохранённому ключу)</translation>
    </message>
    <message>
        <source>optional: your own piper voice file (.onnx)</source>
        <translation>по желанию: свой файл голоса Piper (.onnx)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source>Own offline voice</source>
        <translation>Свой офлайн-голос</translation>
    </message>
    <message>
        <source>Loading the voices…</source>
        <translation>Загружаем голоса…</translation>
    </message>
    <message>
        <source>Loading ElevenLabs voices</source>
        <translation>Загружаем голоса ElevenLabs</translation>
    </message>
    <message>
        <source>1 voice in your account.</source>
        <translation>В учётной записи один голос.</translation>
    </message>
    <message>
        <source>{0} voices in your account.</source>
        <translation>Голосов в учётной записи: {0}.</translation>
    </message>
    <message>
        <source>Choose a piper voice</source>
        <translation>Выберите голос Piper</translation>
    </message>
    <message>
        <source>Piper voices (*.onnx)</source>
        <translation>Голоса Piper (*.onnx)</translation>
    </message>
    <message>
        <source>Narration voices</source>
        <translation>Голоса для чтения</translation>
    </message>
</context>
<context>
    <name>_ProfileList</name>
    <message>
        <source>Add…</source>
        <translation>Добавить…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Изменить…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
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
